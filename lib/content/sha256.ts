/**
 * SHA-256 of a string's UTF-8 bytes, as hex, for the content scripts' inline-script hashes.
 *
 * Why not `lib/core/hash.ts` (@noble/hashes), which the background uses for the incident chain: a
 * content script is evaluated on every page load, and noble's module set-up (its classes, tables
 * and a first hasher instance) was a quarter of the script's evaluation time on a mail page with
 * no inline script at all (measured in Chrome traces: 0.82 → 0.63 ms without it). This one sets
 * nothing up until it is called. Unit tests check it against noble.
 *
 * Not `crypto.subtle.digest`: it is asynchronous and absent on http: pages, where a downgraded
 * mail page still needs its inline scripts hashed.
 */
let roundConstants: Int32Array | undefined;

/**
 * The first 32 bits of the fractional parts of `root` of the first `count` primes: SHA-256's
 * round constants (cube roots of 64 primes) and initial hash (square roots of 8), as FIPS 180-4
 * defines them. Worked out when first needed rather than written out: 72 numbers in decimal were
 * a tenth of the gzipped content script, which every mail page loads. Doubles carry them exactly
 * (the unit tests compare with the published values).
 */
export function primeRootBits(root: (n: number) => number, count: number): Int32Array {
  const bits = new Int32Array(count);
  for (let n = 2, found = 0; found < count; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (prime) bits[found++] = ((root(n) % 1) * 2 ** 32) | 0;
  }
  return bits;
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

export function sha256HexOfText(text: string): string {
  const k = (roundConstants ??= primeRootBits(Math.cbrt, 64));
  const data = new TextEncoder().encode(text);
  // The message, a 1 bit, zeros, and the length in bits as a 64-bit big-endian number, in whole
  // 64-byte blocks.
  const padded = new Uint8Array(((data.length + 9 + 63) >>> 6) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0);

  const h = primeRootBits(Math.sqrt, 8);
  const w = new Int32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + hh) | 0;
  }
  let hex = '';
  for (const word of h) hex += (word >>> 0).toString(16).padStart(8, '0');
  return hex;
}
