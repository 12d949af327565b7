/**
 * SHA-256 (FIPS 180-4), tapguard's own, for every hash it takes: the incident chain, certificate
 * and key fingerprints, script bytes in Firefox, and inline scripts in the content scripts.
 *
 * Why not @noble/hashes, which tapguard used before: a content script is evaluated on every page
 * load, and noble's module set-up (its classes, tables and a first hasher instance) was a quarter
 * of the script's evaluation time on a mail page with no inline script at all (measured in Chrome
 * traces: 0.82 → 0.63 ms without it), and it made the background's bundle 1.3 KB larger gzipped
 * than this does. This one sets nothing up until it is called. Unit tests check it against the
 * FIPS vectors and against noble, on text and on bytes fed in any chunking.
 *
 * Not `crypto.subtle.digest`: it is asynchronous (the chain is extended inside one IndexedDB
 * transaction, which would auto-commit while awaiting it) and absent on http: pages, where a
 * downgraded mail page still needs its inline scripts hashed.
 */
let roundConstants: Int32Array | undefined;
let initialHash: Int32Array | undefined;

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

const constants = (): Int32Array => (roundConstants ??= primeRootBits(Math.cbrt, 64));

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** One 64-byte block at `offset` of `view` into the state `h`; `w` is scratch space. */
function compress(h: Int32Array, w: Int32Array, k: Int32Array, view: DataView, offset: number): void {
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

const initialState = (): Int32Array => (initialHash ??= primeRootBits(Math.sqrt, 8)).slice();

/** Every whole 64-byte block of `bytes` into the state; returns how many bytes that took. */
function compressBlocks(h: Int32Array, w: Int32Array, bytes: Uint8Array): number {
  const k = constants();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (; offset + 64 <= bytes.length; offset += 64) compress(h, w, k, view, offset);
  return offset;
}

/**
 * The message's last bytes (`tail`, shorter than a block when hashing in chunks), a 1 bit, zeros,
 * and the whole message's length in bits as a 64-bit big-endian number, in whole 64-byte blocks.
 */
function padded(tail: Uint8Array, totalLength: number): Uint8Array {
  const out = new Uint8Array(((tail.length + 9 + 63) >>> 6) << 6);
  out.set(tail);
  out[tail.length] = 0x80;
  const view = new DataView(out.buffer);
  view.setUint32(out.length - 8, Math.floor(totalLength / 0x20000000));
  view.setUint32(out.length - 4, (totalLength * 8) >>> 0);
  return out;
}

/** The digest of a string's UTF-8 bytes, as hex (a lone surrogate is encoded as U+FFFD). */
export function sha256HexOfText(text: string): string {
  const data = new TextEncoder().encode(text);
  const h = initialState();
  compressBlocks(h, new Int32Array(64), padded(data, data.length));
  let hex = '';
  for (const word of h) hex += (word >>> 0).toString(16).padStart(8, '0');
  return hex;
}

export interface Sha256 {
  /** Adds bytes; chunks may have any length. */
  update(bytes: Uint8Array): Sha256;
  /** The 32-byte digest of everything added. Call once. */
  digest(): Uint8Array;
}

/** An incremental hasher, for bytes that arrive in chunks (a script's response stream). */
export function createSha256(): Sha256 {
  const h = initialState();
  const w = new Int32Array(64);
  // Bytes of a block not yet complete.
  const block = new Uint8Array(64);
  let pending = 0;
  let total = 0;
  const hasher: Sha256 = {
    update(bytes) {
      total += bytes.length;
      let offset = 0;
      if (pending > 0) {
        offset = Math.min(64 - pending, bytes.length);
        block.set(bytes.subarray(0, offset), pending);
        pending += offset;
        if (pending < 64) return hasher;
        compressBlocks(h, w, block);
        pending = 0;
      }
      offset += compressBlocks(h, w, bytes.subarray(offset));
      block.set(bytes.subarray(offset));
      pending = bytes.length - offset;
      return hasher;
    },
    digest() {
      compressBlocks(h, w, padded(block.subarray(0, pending), total));
      const out = new Uint8Array(32);
      const view = new DataView(out.buffer);
      for (let i = 0; i < 8; i++) view.setInt32(i * 4, h[i]!);
      return out;
    },
  };
  return hasher;
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** The digest of some bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return createSha256().update(bytes).digest();
}
