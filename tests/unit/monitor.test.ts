import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import { createMonitor, type Monitor } from '@/lib/background/monitor';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/store/settings';
import type { SiteLists } from '@/lib/core/sites';
import { cert, publicRoot, rogueRoot } from './fixtures';

let db: TapguardDb;
let monitor: Monitor;
let lists: SiteLists;
let settings: Settings;
let n = 0;

beforeEach(() => {
  db = openDb(`monitor-test-${n++}`);
  lists = { userSites: [], recognisedHosts: {} };
  settings = DEFAULT_SETTINGS;
  // Inside the fixtures' certificate validity (2026), or every chain would look expired.
  let clock = Date.UTC(2026, 5, 1);
  monitor = createMonitor({
    db,
    recorder: createRecorder(db, { browser: 'test' }),
    loadSiteLists: async () => lists,
    loadSettings: async () => settings,
    rememberRecognisedHost: async (host, id) => {
      lists = { ...lists, recognisedHosts: { ...lists.recognisedHosts, [host]: id } };
    },
    now: () => clock++,
  });
});
afterEach(() => db.delete());

const MAIL = 'https://mail.example.org/';
const own = { src: 'https://mail.example.org/program/js/app.min.js' };
const evil = { src: 'https://cdn.evil-tracker.test/inject.js' };

describe('monitor', () => {
  it('quotes page code in evidence only when the user turned inline previews on', async () => {
    await monitor.observePage({ url: MAIL, recognisedAs: 'roundcube', scripts: [own] });
    const refused = (directive: string) => [{ blockedUrl: 'inline', directive, sample: 'send("alice@example.org")' }];
    const off = await monitor.observeScripts(MAIL, [own], [], [], refused('script-src'));
    expect(off.recorded).toMatchObject([{ status: 'new', incident: { rule: 'script.csp-violation' } }]);
    expect(JSON.stringify(await db.incidents.toArray())).not.toContain('alice');
    settings = { ...DEFAULT_SETTINGS, inlinePreviews: true };
    await monitor.observeScripts(MAIL, [own], [], [], refused('script-src-elem'));
    const on = await db.incidents.where('rule').equals('script.csp-violation').last();
    expect(on?.evidence.sample).toBe('send("alice@example.org")');
  });

  it('stores nothing at all about pages that are not mail or chat', async () => {
    const outcome = await monitor.observePage({ url: 'https://news.example.com/', scripts: [evil] });
    expect(outcome.site).toBeUndefined();
    expect(await db.baselines.count()).toBe(0);
    expect(await db.incidents.count()).toBe(0);
  });

  it('watches Messenger inside Facebook by its path, and nothing else of Facebook', async () => {
    const feed = await monitor.observePage({ url: 'https://www.facebook.com/groups/1/', scripts: [evil] });
    expect(feed.site).toBeUndefined();
    expect(await db.baselines.count()).toBe(0);
    const messages = await monitor.observePage({ url: 'https://www.facebook.com/messages/t/100012345678', scripts: [] });
    expect(messages.site).toMatchObject({ source: 'builtin', name: 'Messenger', host: 'www.facebook.com' });
    expect(await db.baselines.get('www.facebook.com')).toMatchObject({ visits: 1 });
  });

  it("never lets the network's inventory learn an injection that the page's own visit would judge", async () => {
    await monitor.observePage({ url: MAIL, recognisedAs: 'roundcube', scripts: [own] });
    // The second load: its script request arrives before its page message, while the stored
    // count still says "learning".
    const early = await monitor.observeNetworkScript(MAIL, { ...evil, network: true });
    expect(early.recorded).toEqual([]);
    expect((await db.baselines.get('mail.example.org'))?.scriptOrigins).not.toContain('https://cdn.evil-tracker.test');
    const page = await monitor.observePage({ url: MAIL, scripts: [own, evil] });
    expect(page.recorded.map((r) => (r.status === 'new' ? r.incident.rule : r.finding.rule))).toContain('script.new-origin');
    // Past learning, a script only the network saw (its element removed itself) is judged.
    const later = await monitor.observeNetworkScript(MAIL, { src: 'https://cdn.other-evil.test/x.js', network: true });
    expect(later.recorded.map((r) => (r.status === 'new' ? [r.incident.rule, r.incident.evidence.seenBy] : []))).toEqual([['script.new-origin', 'network']]);
  });

  it('recognises a self-hosted webmail page and learns it on the first visit', async () => {
    const outcome = await monitor.observePage({ url: MAIL, recognisedAs: 'roundcube', scripts: [own] });
    expect(outcome.site?.source).toBe('recognised');
    expect(outcome.recorded).toEqual([]);
    expect(await db.baselines.get('mail.example.org')).toMatchObject({ visits: 1, seenHttps: true, scriptOrigins: ['https://mail.example.org'] });
  });

  it('reports a script origin injected after the first visit, once', async () => {
    await monitor.observePage({ url: MAIL, recognisedAs: 'roundcube', scripts: [own] });
    const second = await monitor.observePage({ url: MAIL, scripts: [own, evil] });
    expect(second.recorded.map((r) => r.status)).toEqual(['new']);
    const third = await monitor.observePage({ url: MAIL, scripts: [own, evil] });
    expect(third.recorded).toMatchObject([{ status: 'repeat', count: 2 }]);
    expect(await db.incidents.where('rule').equals('script.new-origin').count()).toBe(1);
    // Reported origins are not learned: the injection stays visible on every later visit.
    expect((await db.baselines.get('mail.example.org'))?.scriptOrigins).toEqual(['https://mail.example.org']);
  });

  it('learns scripts added dynamically during the first visit', async () => {
    await monitor.observePage({ url: MAIL, recognisedAs: 'roundcube', scripts: [own] });
    await monitor.observeScripts(MAIL, [{ src: 'https://cdn.example.net/editor.js' }]);
    const second = await monitor.observePage({ url: MAIL, scripts: [own, { src: 'https://cdn.example.net/editor.js' }] });
    expect(second.recorded).toEqual([]);
  });

  it('reports an http page of a host first seen over https', async () => {
    await monitor.observePage({ url: MAIL, recognisedAs: 'roundcube', scripts: [own] });
    const stripped = await monitor.observePage({ url: 'http://mail.example.org/', scripts: [] });
    expect(stripped.recorded).toMatchObject([{ status: 'new', incident: { rule: 'tls.http-page', severity: 'critical', url: 'http://mail.example.org/' } }]);
  });

  it('reports an untrusted root, does not learn it, and respects a trusted private root', async () => {
    lists = { userSites: ['mail.example.org'], recognisedHosts: {} };
    const observation = (root: typeof publicRoot) => ({ url: MAIL, resourceType: 'main_frame', state: 'secure', chain: [cert({ issuer: root.subject }), root] });
    expect((await monitor.observeCertificate(observation(publicRoot))).recorded).toEqual([]);
    const intercepted = await monitor.observeCertificate(observation(rogueRoot));
    // The fixture's rogue root carries the Kazakh 2019 name, and the host had a public root before.
    expect(intercepted.recorded).toMatchObject([
      { status: 'new', incident: { rule: 'cert.untrusted-root', severity: 'critical' } },
      { status: 'new', incident: { rule: 'cert.known-interceptor', severity: 'critical' } },
      { status: 'new', incident: { rule: 'cert.issuer-changed', severity: 'critical' } },
    ]);
    expect((await db.baselines.get('mail.example.org'))?.certRoots).toEqual([publicRoot.sha256]);

    settings = { ...DEFAULT_SETTINGS, trustedRoots: { 'mail.example.org': [rogueRoot.sha256] } };
    const trusted = await monitor.observeCertificate({ ...observation(rogueRoot), url: 'https://mail.example.org/other' });
    // Trusted by the user: no alarm, but the product is still named (info never badges).
    expect(trusted.recorded).toMatchObject([{ status: 'new', incident: { rule: 'cert.known-interceptor', severity: 'info' } }]);
  });

  it('keeps every concurrent observation of one host in the baseline', async () => {
    lists = { userSites: ['mail.example.org'], recognisedHosts: {} };
    await Promise.all(Array.from({ length: 20 }, () => monitor.observePage({ url: MAIL, scripts: [own] })));
    expect((await db.baselines.get('mail.example.org'))?.visits).toBe(20);
  });
});

describe('monitor, extension names', () => {
  const helper = { src: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/helper.js' };
  const withInstalled = (installed: (() => Promise<Array<{ id: string; name: string }> | undefined>) | undefined) =>
    createMonitor({
      db,
      recorder: createRecorder(db, { browser: 'test' }),
      loadSiteLists: async () => ({ userSites: ['mail.example.org'], recognisedHosts: {} }),
      loadSettings: async () => DEFAULT_SETTINGS,
      rememberRecognisedHost: async () => undefined,
      now: () => Date.UTC(2026, 5, 1),
      ...(installed ? { installedExtensions: installed } : {}),
    });
  const evidenceOf = (outcome: Awaited<ReturnType<Monitor['observePage']>>) =>
    outcome.recorded.flatMap((r) => (r.status === 'new' && r.incident.rule === 'script.by-extension' ? [r.incident.evidence] : []));

  it('names the extension when the browser lists it', async () => {
    const named = withInstalled(async () => [{ id: 'abcdefghijklmnopabcdefghijklmnop', name: 'Dark Reader' }]);
    expect(evidenceOf(await named.observePage({ url: MAIL, scripts: [own, helper] }))).toEqual([
      { extension: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop', extensionName: 'Dark Reader' },
    ]);
  });

  it('keeps the address alone without the permission, or when the lookup fails', async () => {
    expect(evidenceOf(await withInstalled(async () => undefined).observePage({ url: MAIL, scripts: [helper] }))).toEqual([
      { extension: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' },
    ]);
    await db.delete();
    db = openDb(`monitor-test-${n++}`);
    const failing = withInstalled(() => Promise.reject(new Error('management permission missing')));
    expect(evidenceOf(await failing.observePage({ url: MAIL, scripts: [helper] }))).toEqual([{ extension: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' }]);
  });
});
