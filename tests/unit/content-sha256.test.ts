import { describe, expect, it } from 'vitest';
import { sha256HexOfText } from '@/lib/content/sha256';
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
});
