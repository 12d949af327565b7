import { describe, expect, it, vi } from 'vitest';
import { createLearnedScripts } from '@/lib/background/firefox/learned-scripts';

/** A fake IndexedDB read whose answers the test releases one at a time. */
function fakeStore(initial: Record<string, string[]>) {
  const stored = new Map(Object.entries(initial));
  const reads: { host: string; release: () => void }[] = [];
  const load = vi.fn(
    (host: string) =>
      new Promise<string[]>((resolve) => {
        reads.push({ host, release: () => resolve([...(stored.get(host) ?? [])]) });
      }),
  );
  const releaseAll = async () => {
    while (reads.length) {
      reads.shift()!.release();
      await flush();
    }
  };
  return { stored, reads, load, releaseAll };
}
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const keyOf = (url: string) => `key:${url}`;

describe('learned script URLs in memory (Firefox script-bytes check)', () => {
  it('answers from memory, without a read, once the host has been read', async () => {
    const store = fakeStore({ 'mail.example': ['key:https://cdn.example/app.js'] });
    const learned = createLearnedScripts({ load: store.load, keyOf, onError: () => undefined });
    learned.warm('mail.example');
    await store.releaseAll();
    expect(learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(true);
    expect(learned.isLearned('mail.example', 'https://cdn.example/other.js')).toBe(false);
    expect(store.load).toHaveBeenCalledTimes(1);
  });

  it('makes only the first script of a host not read yet wait, and reads the host once for all of them', async () => {
    const store = fakeStore({ 'mail.example': ['key:https://cdn.example/app.js'] });
    const learned = createLearnedScripts({ load: store.load, keyOf, onError: () => undefined });
    const first = learned.isLearned('mail.example', 'https://cdn.example/app.js');
    const second = learned.isLearned('mail.example', 'https://cdn.example/other.js');
    expect(first).toBeInstanceOf(Promise);
    await store.releaseAll();
    expect(await first).toBe(true);
    expect(await second).toBe(false);
    expect(store.load).toHaveBeenCalledTimes(1);
    expect(learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(true);
  });

  it('takes the keys a judgement hands back, without reading the host again', async () => {
    const store = fakeStore({ 'mail.example': [] });
    const learned = createLearnedScripts({ load: store.load, keyOf, onError: () => undefined });
    learned.warm('mail.example');
    await store.releaseAll();
    expect(learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(false);
    learned.learned('mail.example', ['key:https://cdn.example/app.js']);
    expect(learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(true);
    expect(store.load).toHaveBeenCalledTimes(1);
  });

  it('keeps the handed-back keys over a read that was already under way', async () => {
    const store = fakeStore({ 'mail.example': [] });
    const learned = createLearnedScripts({ load: store.load, keyOf, onError: () => undefined });
    learned.warm('mail.example');
    // The judgement hands back its keys while the first read, of the older content, is pending.
    learned.learned('mail.example', ['key:https://cdn.example/app.js']);
    await store.releaseAll();
    expect(learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(true);
    expect(store.load).toHaveBeenCalledTimes(1);
  });

  it('reports a failed read, answers not learned, and tries again at the next script', async () => {
    const onError = vi.fn();
    let fail = true;
    const load = vi.fn(async () => {
      if (fail) throw new Error('IndexedDB closed');
      return ['key:https://cdn.example/app.js'];
    });
    const learned = createLearnedScripts({ load, keyOf, onError });
    expect(await learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(false);
    expect(onError).toHaveBeenCalledTimes(1);
    fail = false;
    expect(await learned.isLearned('mail.example', 'https://cdn.example/app.js')).toBe(true);
  });

  it('keeps a bounded number of hosts, dropping the least recently read', async () => {
    const load = vi.fn(async (host: string) => [`key:https://${host}/a.js`]);
    const learned = createLearnedScripts({ load, keyOf, onError: () => undefined }, 2);
    for (const host of ['a.example', 'b.example', 'c.example']) await learned.isLearned(host, `https://${host}/a.js`);
    expect(learned.isLearned('c.example', 'https://c.example/a.js')).toBe(true);
    expect(learned.isLearned('b.example', 'https://b.example/a.js')).toBe(true);
    // a.example was dropped: it is read again.
    expect(learned.isLearned('a.example', 'https://a.example/a.js')).toBeInstanceOf(Promise);
    expect(load).toHaveBeenCalledTimes(4);
  });
});
