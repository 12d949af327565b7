import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import { createSourceLimiter, limitBySource, SOURCE_LIMIT, SOURCE_WINDOW_MS, type SourceRef } from '@/lib/background/source-limit';
import type { Finding } from '@/lib/core/types';

let db: TapguardDb;
let n = 0;
beforeEach(() => {
  db = openDb(`source-limit-test-${n++}`);
});
afterEach(() => db.delete());

const source: SourceRef = { tabId: 4, frameId: 2, origin: 'https://evil.example' };
const finding = (i: number): Finding => ({ rule: 'tls.https-to-http-redirect', severity: 'critical', host: `a${i}.slack.com`, url: 'https://evil.example/r', evidence: {}, dedupeParts: [String(i)] });

describe('per-source limit of new incidents', () => {
  it('records up to the limit, then one aggregated incident naming the source, then nothing until the window ends', async () => {
    let clock = 1_000_000;
    const recorder = createRecorder(db, { browser: 'test' });
    const limiter = createSourceLimiter(fakeBrowser.storage.session, () => clock);
    const observe = (i: number) => limitBySource(limiter, recorder, source, async () => ({ recorded: await recorder.record([finding(i)]) }));
    for (let i = 0; i < SOURCE_LIMIT + 10; i++) await observe(i);
    const incidents = await db.incidents.toArray();
    expect(incidents).toHaveLength(SOURCE_LIMIT + 1);
    const aggregated = incidents.filter((i) => i.evidence.aggregated === true);
    expect(aggregated).toHaveLength(1);
    expect(aggregated[0]).toMatchObject({ severity: 'medium', evidence: { source: 'https://evil.example', limit: SOURCE_LIMIT } });
    // Another source is not affected.
    const other = await limitBySource(limiter, recorder, { ...source, origin: 'https://mail.example.org' }, async () => ({ recorded: await recorder.record([finding(999)]) }));
    expect(other.recorded).toHaveLength(1);
    clock += SOURCE_WINDOW_MS;
    expect((await observe(500)).recorded).toHaveLength(1);
  });
  it('keeps its counts across a worker restart (storage.session, not memory)', async () => {
    const recorder = createRecorder(db, { browser: 'test' });
    const first = createSourceLimiter(fakeBrowser.storage.session, () => 5);
    for (let i = 0; i < SOURCE_LIMIT; i++) await limitBySource(first, recorder, source, async () => ({ recorded: await recorder.record([finding(i)]) }));
    const restarted = createSourceLimiter(fakeBrowser.storage.session, () => 6);
    expect(await restarted.allows(source)).toBe(false);
    let called = false;
    await limitBySource(restarted, recorder, source, async () => {
      called = true;
      return { recorded: [] };
    });
    expect(called).toBe(false);
  });
  it('counts only new incidents, not repeats', async () => {
    const recorder = createRecorder(db, { browser: 'test' });
    const limiter = createSourceLimiter(fakeBrowser.storage.session, () => 5);
    for (let i = 0; i < SOURCE_LIMIT * 2; i++) await limitBySource(limiter, recorder, source, async () => ({ recorded: await recorder.record([finding(1)]) }));
    expect(await limiter.allows(source)).toBe(true);
  });
  it("forgets a closed tab's counts, and only that tab's", async () => {
    const recorder = createRecorder(db, { browser: 'test' });
    const limiter = createSourceLimiter(fakeBrowser.storage.session, () => 5);
    for (const tabId of [4, 41]) await limitBySource(limiter, recorder, { ...source, tabId }, async () => ({ recorded: await recorder.record([finding(tabId)]) }));
    await limiter.forgetTab(4);
    expect(Object.keys(await fakeBrowser.storage.session.get(null))).toEqual(['limit:41|2|https://evil.example']);
  });
});
