import { describe, expect, it } from 'vitest';
import { primeRootBits, sha256HexOfText } from '@/lib/core/sha256';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

// The oracle: noble's SHA-256 (tapguard's own code no longer uses noble, see lib/core/sha256.ts).
const sha256Hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

describe("the content scripts' sha256", () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(sha256HexOfText('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexOfText('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexOfText('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with noble at every padding boundary, in UTF-8, and on long text', () => {
    const texts = [
      ...[55, 56, 57, 63, 64, 65, 119, 120, 128].map((n) => 'x'.repeat(n)),
      'var x=1',
      'écrit — 日本語 — 🙂 — \u0000\uffff',
      // A lone surrogate, as page text can hold: both encode it as U+FFFD.
      'a\ud800b',
      Array.from({ length: 300_000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 90))).join(''),
    ];
    for (const text of texts) expect(sha256HexOfText(text), `length ${text.length}`).toBe(sha256Hex(text));
  });

  it('works out the published round constants and initial hash (FIPS 180-4, 4.2.2 and 5.3.3)', () => {
    const published = [
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
      0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
      0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
      0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
      0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
      0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    expect([...primeRootBits(Math.cbrt, 64)]).toEqual(published.map((x) => x | 0));
    const initial = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    expect([...primeRootBits(Math.sqrt, 8)]).toEqual(initial.map((x) => x | 0));
  });
});
