import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import { createMonitor, type Monitor } from '@/lib/background/monitor';
import type { CertObservation, CertSummary } from '@/lib/core/observations';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/store/settings';
import type { SiteLists } from '@/lib/core/sites';
import { cert, publicRoot } from './fixtures';

let db: TapguardDb;
let monitor: Monitor;
let lists: SiteLists;
let settings: Settings;
let n = 0;

const HOST = 'mail.example.org';
const labRoot = cert({ subject: 'O=Tapguard Lab,CN=Tapguard Lab Root CA', issuer: 'O=Tapguard Lab,CN=Tapguard Lab Root CA', sha256: 'a1'.repeat(32) });
const interceptRoot = cert({ subject: 'CN=Lab Interception Root,O=Lawful Interception Lab', issuer: 'CN=Lab Interception Root,O=Lawful Interception Lab', sha256: 'b2'.repeat(32) });
const leafA = cert({ issuer: labRoot.subject, sha256: 'c3'.repeat(32), spkiSha256: 'key-a' });
const leafB = cert({ issuer: labRoot.subject, sha256: 'd4'.repeat(32), spkiSha256: 'key-b' });
const interceptLeaf = cert({ issuer: interceptRoot.subject, sha256: 'e5'.repeat(32), spkiSha256: 'key-evil' });

const observed = (chain: CertSummary[], path = '/'): CertObservation => ({
  url: `https://${HOST}${path}`,
  resourceType: 'main_frame',
  state: 'secure',
  protocolVersion: 'TLSv1.3',
  chain,
});

beforeEach(() => {
  db = openDb(`monitor-cert-test-${n++}`);
  lists = { userSites: [HOST], recognisedHosts: {} };
  // The lab's own CA stands in for a public one: the user trusts it for the host.
  settings = { ...DEFAULT_SETTINGS, trustedRoots: { [HOST]: [labRoot.sha256] } };
  let clock = Date.UTC(2026, 5, 1);
  monitor = createMonitor({
    db,
    recorder: createRecorder(db, { browser: 'test' }),
    loadSiteLists: async () => lists,
    loadSettings: async () => settings,
    rememberRecognisedHost: async () => undefined,
    now: () => clock++,
  });
});
afterEach(() => db.delete());

const rulesOf = (outcome: Awaited<ReturnType<Monitor['observeCertificate']>>) =>
  outcome.recorded.map((r) => (r.status === 'new' ? `${r.incident.rule}:${r.incident.severity}` : `repeat:${r.finding.rule}`));

describe('monitor: certificates', () => {
  it('learns a clean chain with its root name, stays quiet on a rotated leaf key under the same CA', async () => {
    expect(rulesOf(await monitor.observeCertificate(observed([leafA, labRoot])))).toEqual([]);
    expect(await db.baselines.get(HOST)).toMatchObject({
      certRoots: [labRoot.sha256],
      certIssuers: [labRoot.subject],
      certSpki: ['key-a'],
      certRootSubjects: { [labRoot.sha256]: labRoot.subject },
    });
    expect(rulesOf(await monitor.observeCertificate(observed([leafB, labRoot])))).toEqual([]);
    expect((await db.baselines.get(HOST))?.certSpki).toEqual(['key-a', 'key-b']);
  });

  it('reports an interception CA after a clean first visit as untrusted root AND issuer change, and never learns it', async () => {
    await monitor.observeCertificate(observed([leafA, labRoot]));
    const intercepted = await monitor.observeCertificate(observed([interceptLeaf, interceptRoot]));
    expect(rulesOf(intercepted)).toEqual(['cert.untrusted-root:critical', 'cert.issuer-changed:critical', 'cert.key-changed:medium']);
    const changed = intercepted.recorded.find((r) => r.status === 'new' && r.incident.rule === 'cert.issuer-changed');
    expect(changed?.status === 'new' && changed.incident.evidence).toMatchObject({
      previous: { roots: [{ sha256: labRoot.sha256, subject: labRoot.subject }] },
      current: { rootSha256: interceptRoot.sha256, root: interceptRoot.subject },
    });
    expect((await db.baselines.get(HOST))?.certRoots).toEqual([labRoot.sha256]);
    // Every later request through the interceptor is the same incident, counted, not a new one.
    const again = await monitor.observeCertificate(observed([interceptLeaf, interceptRoot], '/inbox'));
    expect(rulesOf(again)).toEqual(['repeat:cert.untrusted-root', 'repeat:cert.issuer-changed', 'repeat:cert.key-changed']);
    expect(await db.incidents.count()).toBe(3);
  });

  it('reports a CA change under a built-in root once, then learns it', async () => {
    settings = DEFAULT_SETTINGS;
    const le = cert({ issuer: "CN=R10,O=Let's Encrypt,C=US", spkiSha256: 'key-a' });
    await monitor.observeCertificate(observed([le, publicRoot]));
    const other = cert({ issuer: 'CN=Sub,O=Other CA', spkiSha256: 'key-b' });
    expect(rulesOf(await monitor.observeCertificate(observed([other, publicRoot])))).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
    expect(rulesOf(await monitor.observeCertificate(observed([other, publicRoot])))).toEqual([]);
  });

  it('records certificate errors on messaging hosts only, without writing a baseline', async () => {
    const error = await monitor.observeRequestError(`https://${HOST}/`, 'Peer’s Certificate issuer is not recognized.', 'main_frame');
    expect(rulesOf(error)).toEqual(['cert.error:high']);
    expect(await db.baselines.count()).toBe(0);
    expect((await monitor.observeRequestError('https://news.example.com/', 'net::ERR_CERT_AUTHORITY_INVALID', 'main_frame')).recorded).toEqual([]);
    expect((await monitor.observeRequestError(`https://${HOST}/`, 'NS_BINDING_ABORTED', 'main_frame')).recorded).toEqual([]);
  });
});
