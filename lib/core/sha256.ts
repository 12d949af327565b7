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

function constants(): Int32Array {
  roundConstants ??= Int32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  return roundConstants;
}

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

const initialState = () => Int32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);

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
