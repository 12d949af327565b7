import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '@/lib/core/hash';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"z":1}]},"b":1}');
  });
  it('is the same for objects built in different orders', () => {
    expect(canonicalJson({ x: 1, y: 'two' })).toBe(canonicalJson({ y: 'two', x: 1 }));
  });
});

describe('sha256Hex', () => {
  it('matches the published test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('hashes non-ASCII text as UTF-8', () => {
    expect(sha256Hex('НЕГІЗГІ')).toHaveLength(64);
    expect(sha256Hex('НЕГІЗГІ')).not.toBe(sha256Hex('НЕГIЗГI'));
  });
});
