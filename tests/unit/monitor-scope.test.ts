import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import { createMonitor, type Monitor } from '@/lib/background/monitor';
import { DEFAULT_SETTINGS } from '@/lib/store/settings';
import { resolveSite, type SiteLists } from '@/lib/core/sites';
import { cert, rogueRoot } from './fixtures';

let db: TapguardDb;
let monitor: Monitor;
let n = 0;
const lists: SiteLists = { userSites: ['chat.example.org'], recognisedHosts: {} };
const chat = resolveSite('chat.example.org', lists)!;

beforeEach(() => {
  db = openDb(`monitor-scope-test-${n++}`);
  let clock = Date.UTC(2026, 5, 1);
  monitor = createMonitor({
    db,
    recorder: createRecorder(db, { browser: 'test' }),
    loadSiteLists: async () => lists,
    loadSettings: async () => DEFAULT_SETTINGS,
    rememberRecognisedHost: async () => undefined,
    now: () => clock++,
  });
});
afterEach(() => db.delete());

describe('monitor, session scope', () => {
  it("records nothing for a watched host when an ordinary page's chain redirects to it", async () => {
    const forged = await monitor.observeRedirect({ firstUrl: 'https://evil.example/r', fromUrl: 'https://evil.example/r', toUrl: 'http://a1.slack.com/', resourceType: 'sub_frame' });
    expect(forged.recorded).toEqual([]);
    expect(await db.incidents.count()).toBe(0);
  });
  it('records a chain that starts on a watched https URL, or in a frame of a watched tab', async () => {
    const own = await monitor.observeRedirect({ firstUrl: 'https://chat.example.org/', fromUrl: 'https://chat.example.org/', toUrl: 'http://chat.example.org/', resourceType: 'main_frame' });
    expect(own.recorded).toHaveLength(1);
    const inTab = await monitor.observeRedirect({ firstUrl: 'https://cdn.example.net/r', fromUrl: 'https://cdn.example.net/r', toUrl: 'http://cdn.example.net/x', resourceType: 'sub_frame' }, chat);
    expect(inTab).toMatchObject({ recorded: [{ status: 'new', incident: { rule: 'tls.https-to-http-redirect', host: 'chat.example.org' } }] });
  });
  it("judges the certificate of a session's socket host under the chat's site, and learns it per host", async () => {
    const socketSite = { ...chat, host: 'ws.chat.example.org' };
    const outcome = await monitor.observeCertificate({ url: 'wss://ws.chat.example.org/socket', resourceType: 'websocket', state: 'secure', chain: [cert({ subject: 'CN=ws.chat.example.org' }), rogueRoot] }, socketSite);
    expect(outcome.recorded.map((r) => r.status === 'new' && r.incident)).toContainEqual(expect.objectContaining({ rule: 'cert.untrusted-root', host: 'ws.chat.example.org' }));
    // Without the session, a host nobody listed is not judged.
    expect((await monitor.observeCertificate({ url: 'wss://other.example.net/', resourceType: 'websocket', state: 'secure', chain: [cert(), rogueRoot] })).recorded).toEqual([]);
  });
  it('weighs a repeated refusal of the same socket more than a first one', async () => {
    const refusal = { url: 'wss://ws.chat.example.org/socket', error: 'net::ERR_FAILED', resourceType: 'websocket', pageHost: chat.host, pageName: chat.name };
    const first = await monitor.observeRefusedConnection(refusal, chat);
    const second = await monitor.observeRefusedConnection(refusal, chat);
    const severities = [first, second].map((o) => (o.recorded[0]?.status === 'new' ? o.recorded[0].incident.severity : undefined));
    expect(severities).toEqual(['low', 'medium']);
  });
});
