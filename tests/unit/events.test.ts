import { afterEach, describe, expect, it } from 'vitest';
import { countIncidentRows, openDb, type TapguardDb } from '@/lib/store/db';
import { MAX_NAMED_FINDINGS, recordEvents, recordPageEvents } from '@/lib/store/event-log';
import { describeEvent } from '@/lib/core/event-text';
import { groupIntoEvents, type Sign } from '@/lib/core/events';
import { verifyChain } from '@/lib/store/export';
import { createRecorder, dedupeKeyOf } from '@/lib/store/incidents';
import { chainTable } from '@/lib/store/log';
import { countIncidents, incidentsForHost } from '@/lib/store/queries';
import { applyRetention } from '@/lib/store/retention';
import type { Finding } from '@/lib/core/types';

const HOST = 'mail.example.org';
const EVIL = 'https://evil.example';
const MITM_ROOT = 'a'.repeat(64);

function finding(patch: Partial<Finding> & Pick<Finding, 'rule'>): Finding {
  return { severity: 'high', host: HOST, url: `https://${HOST}/`, evidence: {}, dedupeParts: [], ...patch };
}

/** What the interception scenario records on one connection: four certificate findings. */
const interception: Finding[] = [
  finding({ rule: 'cert.untrusted-root', severity: 'critical', evidence: { rootSha256: MITM_ROOT, root: 'CN=mitmproxy,O=mitmproxy' }, dedupeParts: [MITM_ROOT] }),
  finding({ rule: 'cert.issuer-changed', severity: 'critical', evidence: { rootSha256: MITM_ROOT }, dedupeParts: ['mitmproxy'] }),
  finding({
    rule: 'cert.known-interceptor',
    severity: 'high',
    evidence: { rootSha256: MITM_ROOT, product: 'mitmproxy', category: 'debugging', certainty: 'exact' },
    dedupeParts: ['mitmproxy'],
  }),
  finding({ rule: 'cert.key-changed', severity: 'medium', evidence: { rootSha256: MITM_ROOT }, dedupeParts: ['spki'] }),
];
const injectedScript = finding({ rule: 'script.new-origin', evidence: { scriptOrigin: EVIL, scriptUrl: `${EVIL}/x.js` }, dedupeParts: [EVIL] });
const loosenedCsp = finding({ rule: 'script.csp-dropped', severity: 'medium', evidence: { reasons: [`the source ${EVIL} was added`] }, dedupeParts: ['h'] });

const sign = (f: Finding, id?: number): Sign => ({ ...f, dedupeKey: dedupeKeyOf(f), ...(id === undefined ? {} : { id }) });

describe('groupIntoEvents', () => {
  it('makes one event of an interception, named after the product, its signs worst first', () => {
    const [event, ...rest] = groupIntoEvents(interception.map((f) => sign(f)));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ cause: 'interception', severity: 'critical', subject: { type: 'interceptor', product: 'mitmproxy', category: 'debugging' } });
    expect(event!.key).toBe(`event|interception|${HOST}|product:mitmproxy`);
    expect(event!.signs.map((s) => s.rule)).toEqual(['cert.untrusted-root', 'cert.issuer-changed', 'cert.known-interceptor', 'cert.key-changed']);
    expect(describeEvent(event!).headline).toBe(`Your connection to ${HOST} is being intercepted by mitmproxy, a TLS-inspection tool.`);
  });

  it('names the category of other interceptors, and says plainly when nobody is named', () => {
    const zscaler = finding({ rule: 'cert.known-interceptor', evidence: { product: 'Zscaler', category: 'corporate' } });
    expect(describeEvent(groupIntoEvents([sign(zscaler)])[0]!).headline).toContain('a corporate proxy: Zscaler');
    const state = finding({ rule: 'cert.known-interceptor', severity: 'critical', evidence: { product: 'Kazakhstan state interception', category: 'state' } });
    expect(describeEvent(groupIntoEvents([sign(state)])[0]!).headline).toContain('a state authority: Kazakhstan state interception');
    const unnamed = groupIntoEvents([sign(interception[0]!), sign(interception[3]!)]);
    expect(unnamed).toHaveLength(1);
    expect(unnamed[0]!.key).toBe(`event|interception|${HOST}|root:${MITM_ROOT}`);
    expect(describeEvent(unnamed[0]!).headline).toBe(`Your connection to ${HOST} is probably being intercepted. Who is doing it is unknown.`);
  });

  it('keeps two unrelated findings on one page as two events', () => {
    const expired = finding({ rule: 'cert.expired', severity: 'medium', evidence: { rootSha256: 'b'.repeat(64) } });
    const events = groupIntoEvents([sign(expired), sign(injectedScript)]);
    expect(events.map((e) => e.cause)).toEqual(['injection', 'interception']);
    expect(events.map((e) => e.signs.length)).toEqual([1, 1]);
  });

  it('words a refused message connection as a possible blip the first time, and as interception when it repeats', () => {
    const refused = (severity: Finding['severity']) =>
      finding({ rule: 'cert.error', severity, evidence: { family: 'connection-refused', socketHost: 'ws.example.org' }, dedupeParts: ['connection-refused', 'ws.example.org', severity] });
    const [once] = groupIntoEvents([sign(refused('low'))]);
    expect(once).toMatchObject({ cause: 'interception', severity: 'low', subject: { type: 'refused-connection', repeated: false } });
    expect(describeEvent(once!).headline).toContain('network hiccup');
    const [again] = groupIntoEvents([sign(refused('low')), sign(refused('medium'))]);
    expect(again!.subject).toEqual({ type: 'refused-connection', repeated: true });
    expect(describeEvent(again!).headline).toContain('keep being refused');
    // A refused socket beside a real certificate sign is plain interception.
    const [mixed] = groupIntoEvents([sign(refused('low')), sign(interception[0]!)]);
    expect(mixed!.subject.type).not.toBe('refused-connection');
  });

  it('keeps scripts from two origins apart, and a page extension apart from an injection', () => {
    const other = finding({ rule: 'script.new-origin', evidence: { scriptOrigin: 'https://other.example' }, dedupeParts: ['https://other.example'] });
    const byExtension = finding({ rule: 'script.by-extension', severity: 'info', evidence: { extension: 'moz-extension://abc' }, dedupeParts: ['moz-extension://abc'] });
    const events = groupIntoEvents([sign(injectedScript), sign(other), sign(byExtension)]);
    expect(events.map((e) => e.key).sort()).toEqual([
      `event|extension|${HOST}|moz-extension://abc`,
      `event|injection|${HOST}|${EVIL}`,
      `event|injection|${HOST}|https://other.example`,
    ]);
  });

  it('puts the CSP loosened for an injection beneath it, and names the injected origin', () => {
    const events = groupIntoEvents([sign(loosenedCsp), sign(injectedScript)]);
    expect(events).toHaveLength(1);
    expect(events[0]!.signs.map((s) => s.rule)).toEqual(['script.new-origin', 'script.csp-dropped']);
    expect(describeEvent(events[0]!).headline).toBe(`Code from ${EVIL} was injected into ${HOST}.`);
  });

  it('says how the other origin came in: a hidden frame, or only content the page refused', () => {
    const frame = finding({ rule: 'script.hidden-iframe', severity: 'medium', evidence: { frameOrigin: EVIL }, dedupeParts: [EVIL] });
    expect(describeEvent(groupIntoEvents([sign(frame)])[0]!).headline).toBe(`A hidden frame from ${EVIL} was added to ${HOST}.`);
    const refused = finding({ rule: 'script.csp-violation', severity: 'medium', evidence: { blocked: EVIL, directive: 'script-src' }, dedupeParts: [EVIL] });
    expect(describeEvent(groupIntoEvents([sign(refused)])[0]!).headline).toBe(`${HOST} refused to load content from ${EVIL}: something may have tried to add it.`);
    // The same origin got a script through as well: one injection, told as such.
    const both = groupIntoEvents([sign(refused), sign(injectedScript)]);
    expect(both).toHaveLength(1);
    expect(describeEvent(both[0]!).headline).toBe(`Code from ${EVIL} was injected into ${HOST}.`);
  });

  it('tells HSTS and CSP stripped from one response as one downgrade', () => {
    const hsts = finding({ rule: 'tls.hsts-dropped', severity: 'medium', evidence: { header: null } });
    const events = groupIntoEvents([sign(hsts), sign(loosenedCsp)]);
    expect(events).toMatchObject([{ cause: 'downgrade', key: `event|downgrade|${HOST}|downgrade` }]);
    expect(events[0]!.signs.map((s) => s.rule).sort()).toEqual(['script.csp-dropped', 'tls.hsts-dropped']);
  });

  it('tells a loosened CSP alone as its own event', () => {
    const events = groupIntoEvents([sign(loosenedCsp)]);
    expect(events).toMatchObject([{ cause: 'injection', subject: { type: 'csp' }, key: `event|injection|${HOST}|csp` }]);
  });

  it('does not put page text into a headline unchecked', () => {
    const hostile = finding({ rule: 'script.new-origin', evidence: { scriptOrigin: 'javascript:alert(1)' } });
    expect(groupIntoEvents([sign(hostile)])[0]!.subject).toEqual({ type: 'page-code' });
  });
});

describe('event records', () => {
  let db: TapguardDb;
  let n = 0;
  afterEach(() => db?.delete());

  async function recordPage(findings: Finding[], recordedEvents: string[] = []) {
    const recorder = createRecorder(db, { browser: 'Firefox/140', retention: async () => ({ retentionDays: 365, maxIncidents: 100_000 }) });
    await recorder.record(findings);
    return recordPageEvents(db, findings.map(dedupeKeyOf), recordedEvents, { browser: 'Firefox/140' });
  }

  it('stores one chained event that references its findings; the findings stay as they were', async () => {
    db = openDb(`events-test-${n++}`);
    const keys = await recordPage(interception);
    expect(keys).toEqual([`event|interception|${HOST}|product:mitmproxy`]);
    const rows = await chainTable(db).toArray();
    expect(rows.map((r) => r.kind)).toEqual(['cert-anomaly', 'cert-anomaly', 'cert-anomaly', 'cert-anomaly', 'event']);
    const event = rows[4]!;
    expect(event).toMatchObject({ rule: 'event.interception', severity: 'critical', host: HOST, title: expect.stringContaining('mitmproxy, a TLS-inspection tool') });
    expect([...(event.evidence.findings as string[])].sort()).toEqual(interception.map(dedupeKeyOf).sort());
    expect([...(event.evidence.findingIds as number[])].sort()).toEqual([1, 2, 3, 4]);
    expect(event.evidence.rules).toContain('cert.known-interceptor');
    expect(verifyChain(rows)).toEqual({ ok: true, count: 5, gaps: 0 });
    // Events are not incidents: not counted, and not among a host's incidents in the popup.
    expect(await countIncidents(db)).toBe(4);
    expect(await countIncidentRows(db.incidents)).toBe(4);
    expect((await incidentsForHost(db, HOST)).map((r) => r.kind)).not.toContain('event');
  });

  it('folds a repeat of the same cause into its event instead of appending one', async () => {
    db = openDb(`events-test-${n++}`);
    await recordPage(interception);
    // The next page load: same findings (repeats), no events recorded for it yet.
    const again = await recordPage(interception);
    expect(again).toHaveLength(1);
    const rows = await chainTable(db).toArray();
    expect(rows.filter((r) => r.kind === 'event')).toHaveLength(1);
    expect((await db.occurrences.get(again[0]!))?.count).toBe(2);
    // Within one page load, an event already recorded is not counted again.
    expect(await recordPageEvents(db, interception.map(dedupeKeyOf), again, { browser: 'x' })).toEqual([]);
    expect((await db.occurrences.get(again[0]!))?.count).toBe(2);
  });

  it('stores two events for two unrelated findings of one page', async () => {
    db = openDb(`events-test-${n++}`);
    const expired = finding({ rule: 'cert.expired', severity: 'medium', evidence: { rootSha256: 'b'.repeat(64) } });
    expect(await recordPage([expired, injectedScript])).toHaveLength(2);
    expect((await chainTable(db).toArray()).filter((r) => r.kind === 'event').map((r) => r.rule).sort()).toEqual(['event.injection', 'event.interception']);
  });

  it('is deleted by retention with the findings it groups, without moving the incident total', async () => {
    db = openDb(`events-test-${n++}`);
    await recordPage(interception);
    await recordPage([injectedScript]);
    expect(await countIncidents(db)).toBe(5);
    // 7 records: 4 findings, 1 event, 1 finding, 1 event. A year and a day later all of them go by
    // age (the count limit never removes high or critical records, lib/store/retention.ts).
    const result = await applyRetention(db, { retentionDays: 365, maxIncidents: 100_000 }, Date.now() + 366 * 24 * 3600 * 1000);
    expect(result.deleted).toBe(7);
    expect(await countIncidents(db)).toBe(0);
    expect(await db.occurrences.get(`event|interception|${HOST}|product:mitmproxy`)).toBeUndefined();
  });

  it('names at most MAX_NAMED_FINDINGS findings of one event and counts the rest', async () => {
    db = openDb(`events-test-${n++}`);
    const mixed = Array.from({ length: MAX_NAMED_FINDINGS + 7 }, (_, i) =>
      finding({ rule: 'tls.mixed-content', severity: 'low', evidence: { resourceUrl: `http://img${i}.example/a.png` }, dedupeParts: [`img${i}.example`, 'passive'] }),
    );
    await recordPage(mixed);
    const [event] = (await chainTable(db).toArray()).filter((r) => r.kind === 'event');
    expect(event!.evidence.findings).toHaveLength(MAX_NAMED_FINDINGS);
    expect(event!.evidence).toMatchObject({ moreFindings: 7, rules: ['tls.mixed-content'] });
  });

  it('records nothing for a page without findings', async () => {
    db = openDb(`events-test-${n++}`);
    expect(await recordEvents(db, [], { browser: 'x' })).toEqual([]);
    expect(await recordPageEvents(db, [], [], { browser: 'x' })).toEqual([]);
    expect(await db.incidents.count()).toBe(0);
  });
});
