import { describe, expect, it } from 'vitest';
import { hashStream, MAX_HASHED_BYTES, type StreamFilterLike } from '@/lib/background/firefox/script-bytes';
import { sha256Hex } from '@/lib/core/hash';

function fakeFilter() {
  const written: number[] = [];
  const state = { closed: false, disconnected: false };
  const filter: StreamFilterLike = {
    ondata: null,
    onstop: null,
    onerror: null,
    write: (data) => written.push(data.byteLength),
    close: () => void (state.closed = true),
    disconnect: () => void (state.disconnected = true),
  };
  return { filter, written, state };
}

describe('hashStream', () => {
  it('passes every chunk on and hashes the whole body', () => {
    const { filter, written, state } = fakeFilter();
    let digest = '';
    hashStream(filter, (d) => (digest = d));
    const encoder = new TextEncoder();
    for (const part of ['window.a=1;', 'window.b=2;']) filter.ondata!({ data: encoder.encode(part).buffer as ArrayBuffer });
    filter.onstop!();
    expect(written).toEqual([11, 11]);
    expect(state.closed).toBe(true);
    expect(digest).toBe(sha256Hex('window.a=1;window.b=2;'));
  });
  it('lets an oversized body through without a digest, and says it was too large', () => {
    const { filter, state } = fakeFilter();
    let called = false;
    let tooLarge = 0;
    hashStream(filter, () => (called = true), () => tooLarge++);
    filter.ondata!({ data: new ArrayBuffer(MAX_HASHED_BYTES + 1) });
    expect(state.disconnected).toBe(true);
    expect(called).toBe(false);
    expect(tooLarge).toBe(1);
  });
});
