import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUiRequestHandler, isOwnPage } from '@/lib/background/ui-requests';
import type { TapguardDb } from '@/lib/store/db';
import { verifyJsonl, linesOf } from '@/lib/store/export';
import { DEFAULT_SETTINGS, loadLocalSettings } from '@/lib/store/settings';
import { SETTINGS_KEYS, validateUiRequest, type UiAnswers, type UiReply, type UiRequest, type UiRequestType } from '@/lib/ui-messages';
import { freshDb, seed } from './log-fixtures';

let db: TapguardDb;
let handle: ReturnType<typeof createUiRequestHandler>;
const page = () => ({ id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') });
beforeEach(() => {
  db = freshDb();
  handle = createUiRequestHandler({ db, browser: 'Chrome/140.0', now: () => Date.UTC(2026, 0, 2) });
});
afterEach(async () => {
  await db.delete();
});

async function ask<T extends UiRequestType>(request: Extract<UiRequest, { type: T }>): Promise<UiAnswers[T]> {
  const reply = (await handle(request, page())) as UiReply<T>;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
const fp = 'ab'.repeat(32);

describe('the background answers its own pages', () => {
  it('refuses a content script, another extension and a sender without a URL, and ignores content messages', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(handle({ type: 'ui/settings' }, { id: fakeBrowser.runtime.id, url: 'https://mail.example.org/', tab: { id: 3 } as never })).toBeUndefined();
    expect(handle({ type: 'ui/settings' }, { id: 'other-extension', url: 'chrome-extension://other-extension/popup.html' })).toBeUndefined();
    expect(handle({ type: 'ui/settings' }, { id: fakeBrowser.runtime.id })).toBeUndefined();
    // A page of another extension that names ours in its path is not ours either.
    expect(isOwnPage({ id: fakeBrowser.runtime.id, url: `https://evil.example/chrome-extension://${fakeBrowser.runtime.id}/` })).toBe(false);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(handle({ type: 'page-observed', url: 'https://mail.example.org/' }, page())).toBeUndefined();
    expect(isOwnPage(page())).toBe(true);
  });

  it('answers a malformed or unknown request with an error, and changes nothing', async () => {
    expect(await handle({ type: 'ui/save-settings', patch: { evil: true } }, page())).toEqual({ ok: false, error: 'malformed ui/save-settings' });
    expect(await handle({ type: 'ui/trust-root', host: 'mail.example.org', rootSha256: 'not hex' }, page())).toMatchObject({ ok: false });
    expect(await handle({ type: 'ui/log-view', filter: {}, offset: 0, limit: 10_000 }, page())).toMatchObject({ ok: false });
    expect(await handle({ type: 'ui/log-view', filter: { kind: 'nonsense' }, offset: 0, limit: 10 }, page())).toMatchObject({ ok: false });
    expect(await handle({ type: 'ui/drop-tables' }, page())).toEqual({ ok: false, error: 'unknown request ui/drop-tables' });
    expect(await handle({ type: 'ui/toString' }, page())).toMatchObject({ ok: false });
    expect(validateUiRequest(null)).toMatchObject({ ok: false });
    expect((await loadLocalSettings()).trustedRoots).toEqual({});
  });

  it('accepts a patch of every setting the store has, and of nothing else', () => {
    // The request check keeps its own list of keys (it may not import the store's values).
    expect([...SETTINGS_KEYS].sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    for (const key of SETTINGS_KEYS) expect(validateUiRequest({ type: 'ui/save-settings', patch: { [key]: DEFAULT_SETTINGS[key] } }), key).toMatchObject({ ok: true });
  });

  it('reads and saves settings, merging a patch and normalising it', async () => {
    await fakeBrowser.storage.managed.set({ retentionDays: 90 });
    await ask({ type: 'ui/save-settings', patch: { userSites: ['Chat.Example.org', 'not a host'] } });
    await ask({ type: 'ui/save-settings', patch: { inlinePreviews: true } });
    const view = await ask({ type: 'ui/settings' });
    expect(view.local).toMatchObject({ userSites: ['chat.example.org'], inlinePreviews: true });
    expect(view.managed).toEqual({ retentionDays: 90 });
    expect(view.recognised).toEqual({});
  });

  it('marks keys as expected and trusts a root, without losing a change made at the same time', async () => {
    await Promise.all([
      ask({ type: 'ui/mark-expected', dedupeKeys: ['a', 'b'] }),
      ask({ type: 'ui/trust-root', host: 'mail.example.org', rootSha256: fp }),
      ask({ type: 'ui/mark-expected', dedupeKeys: ['b', 'c'] }),
    ]);
    const settings = await loadLocalSettings();
    expect(settings.expectedKeys).toEqual(['a', 'b', 'c']);
    expect(settings.trustedRoots).toEqual({ 'mail.example.org': [fp] });
  });

  it('forgets a recognised host', async () => {
    await fakeBrowser.storage.local.set({ recognisedHosts: { 'webmail.example.net': 'roundcube', 'chat.example.net': 'mattermost' } });
    await ask({ type: 'ui/forget-recognised-host', host: 'webmail.example.net' });
    expect((await ask({ type: 'ui/settings' })).recognised).toEqual({ 'chat.example.net': 'mattermost' });
  });

  it("gives the popup its tab's incidents, the host's earlier ones, the total and the deep-inspection state", async () => {
    await seed(db, 6, { varied: true });
    await fakeBrowser.storage.local.set({ settings: { userSites: ['mail.example.org'], expectedKeys: ['x'] } });
    const [first] = await db.incidents.where('host').equals('mail.example.org').toArray();
    await fakeBrowser.storage.session.set({ 'tab:4': { host: 'mail.example.org', findings: { [first!.dedupeKey]: 'high' } }, 'deep:4': { state: 'attached', judged: [] } });
    const data = await ask({ type: 'ui/popup-view', url: 'https://mail.example.org/inbox', tabId: 4 });
    expect(data.host).toBe('mail.example.org');
    expect(data.site?.host).toBe('mail.example.org');
    expect(data.seen.map((i) => i.id)).toEqual([first!.id]);
    expect(data.forHost).toHaveLength(3);
    expect(data.total).toBe(6);
    expect(data.expectedKeys).toEqual(['x']);
    expect(data.deep).toEqual({ state: 'attached', judged: [] });
    const elsewhere = await ask({ type: 'ui/popup-view', url: 'https://news.example.com/' });
    expect(elsewhere).toMatchObject({ host: 'news.example.com', seen: [], forHost: [], total: 6 });
    expect(elsewhere.site).toBeUndefined();
  });

  it('serves the log page: a filtered page, an occurrence, incidents by key', async () => {
    await seed(db, 8, { varied: true, start: Date.UTC(2026, 0, 1) });
    const view = await ask({ type: 'ui/log-view', filter: { host: 'chat.example.org' }, offset: 0, limit: 3 });
    expect(view.page.total).toBe(4);
    expect(view.page.rows).toHaveLength(3);
    expect(view.incidents).toBe(8);
    expect(view.hosts).toEqual(['chat.example.org', 'mail.example.org']);
    const key = view.page.rows[0]!.dedupeKey;
    expect(await ask({ type: 'ui/occurrence', dedupeKey: key })).toMatchObject({ dedupeKey: key, count: 1 });
    expect(await ask({ type: 'ui/occurrence', dedupeKey: 'no such key' })).toBeNull();
    expect((await ask({ type: 'ui/incidents-for-keys', dedupeKeys: [key] })).map((i) => i.dedupeKey)).toEqual([key]);
  });

  it('counts, then applies retention, and clears the log with a marker', async () => {
    await seed(db, 5, { start: Date.UTC(2025, 0, 1) });
    expect(await ask({ type: 'ui/count-beyond-retention', limits: { retentionDays: 30, maxIncidents: 1000 } })).toBe(5);
    expect(await ask({ type: 'ui/apply-retention', limits: { retentionDays: 30, maxIncidents: 1000 } })).toEqual({ deleted: 5 });
    await seed(db, 2, { start: Date.UTC(2026, 0, 1) });
    const cleared = await ask({ type: 'ui/clear-log' });
    expect(cleared.cleared).toBe(2);
    expect(cleared.marker.browser).toBe('Chrome/140.0');
  });

  it('streams an export in chunks that verify, and forgets a finished export', { timeout: 30_000 }, async () => {
    await seed(db, 1500);
    const meta = { tapguardVersion: '0.1.0', browser: 'Chrome/140.0', checks: [{ check: 'certificates', available: false }], exportedAt: '2026-01-02T00:00:00.000Z' };
    const { exportId } = await ask({ type: 'ui/export-start', format: 'jsonl', meta });
    let text = '';
    let chunks = 0;
    for (let done = false; !done; chunks++) {
      const next = await ask({ type: 'ui/export-next', exportId });
      text += next.chunk;
      done = next.done;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(await verifyJsonl(linesOf(text))).toMatchObject({ ok: true, count: 1500 });
    expect(await handle({ type: 'ui/export-next', exportId }, page())).toEqual({ ok: false, error: 'this export is no longer running; start it again' });
    expect(await handle({ type: 'ui/export-start', format: 'pdf', meta }, page())).toMatchObject({ ok: false });
  });

  it('shows the collector policy without its token', async () => {
    expect(await ask({ type: 'ui/collector' })).toEqual({});
    await fakeBrowser.storage.managed.set({ collector: { url: 'https://siem.example.org/in', format: 'ocsf-json', token: 'very-secret' } });
    const view = await ask({ type: 'ui/collector' });
    expect(view.policy).toEqual({ url: 'https://siem.example.org/in', format: 'ocsf-json', minSeverity: 'medium' });
    expect(view.status).toEqual({ queued: 0 });
    expect(JSON.stringify(view)).not.toContain('very-secret');
  });
});
