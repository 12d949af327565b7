import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex as nobleHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, createSha256, sha256 } from '@/lib/core/sha256';

/** Deterministic bytes, so a failure names a reproducible input. */
function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('tapguard’s own sha256 of bytes (the chain, fingerprints, Firefox script bytes)', () => {
  it('gives the FIPS 180-4 vector of one million "a"s', () => {
    expect(bytesToHex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('agrees with noble at every length around the padding boundaries', () => {
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000, 4096]) {
      const data = bytes(length, length + 1);
      expect(bytesToHex(sha256(data)), `length ${length}`).toBe(nobleHex(nobleSha256(data)));
    }
  });

  it('gives the same digest however the bytes are chunked, views into larger buffers included', () => {
    const data = bytes(10_000, 7);
    const expected = nobleHex(nobleSha256(data));
    for (const chunk of [1, 3, 63, 64, 65, 127, 4096]) {
      const hasher = createSha256();
      for (let offset = 0; offset < data.length; offset += chunk) hasher.update(data.subarray(offset, offset + chunk));
      expect(bytesToHex(hasher.digest()), `chunks of ${chunk}`).toBe(expected);
    }
    // Empty updates in between change nothing.
    expect(bytesToHex(createSha256().update(new Uint8Array(0)).update(data).update(new Uint8Array(0)).digest())).toBe(expected);
  });

  it('hex-encodes bytes as noble does', () => {
    const data = bytes(256, 3);
    expect(bytesToHex(data)).toBe(nobleHex(data));
  });
});
