import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCollector } from '@/lib/background/collector/collector';
import { loadCollectorPolicy, normaliseCollectorPolicy, type CollectorPolicy } from '@/lib/background/collector/policy';
import { backoffMs, collectorStatus, feedQueue, WITHDRAWN_GRACE_MS } from '@/lib/background/collector/queue';
import type { TapguardDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import { clearLog } from '@/lib/store/log';
import { finding, freshDb } from './log-fixtures';

const POLICY: CollectorPolicy = { url: 'http://127.0.0.1:8123/', format: 'clickhouse', minSeverity: 'medium', device: 'desk-12' };

let db: TapguardDb;
afterEach(async () => {
  await db?.delete();
});

function harness(options: { policy?: CollectorPolicy; respond?: (body: string) => Response | Promise<Response>; now?: () => number; batchSize?: number } = {}) {
  const bodies: string[] = [];
  const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(String(init?.body));
    return options.respond ? options.respond(String(init?.body)) : new Response('', { status: 200 });
  });
  const wakeAt = vi.fn();
  const idle = vi.fn();
  const collector = createCollector({
    db,
    loadPolicy: async () => options.policy,
    fetch: fetch as unknown as typeof globalThis.fetch,
    now: options.now ?? Date.now,
    tapguardVersion: '0.1.0',
    wakeAt,
    idle,
    random: () => 0,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  return { collector, fetch, bodies, wakeAt, idle };
}

const rowsOf = (bodies: string[]) => bodies.flatMap((b) => b.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));

describe('collector policy', () => {
  it('takes only a valid managed policy', () => {
    expect(normaliseCollectorPolicy({ url: 'https://siem.example.org/push', format: 'loki', token: 't', minSeverity: 'high', device: ' desk ' })).toEqual({
      url: 'https://siem.example.org/push',
      format: 'loki',
      token: 't',
      minSeverity: 'high',
      device: 'desk',
    });
    expect(normaliseCollectorPolicy({ url: 'https://x.example', format: 'clickhouse' })?.minSeverity).toBe('medium');
    for (const bad of [undefined, null, 'x', [], { url: 'ftp://x/', format: 'loki' }, { url: 'https://u:p@x/', format: 'loki' }, { url: 'https://x/', format: 'syslog' }, { format: 'loki' }])
      expect(normaliseCollectorPolicy(bad)).toBeUndefined();
    // A token that could smuggle a header is refused, the rest of the policy kept.
    expect(normaliseCollectorPolicy({ url: 'https://x.example/', format: 'loki', token: 'a\r\nX-Evil: 1' })?.token).toBeUndefined();
  });

  it('is read from storage.managed only, never from the user’s storage', async () => {
    expect(await loadCollectorPolicy()).toBeUndefined();
    await fakeBrowser.storage.local.set({ collector: { url: 'https://x.example/', format: 'loki' }, settings: { collector: { url: 'https://x.example/', format: 'loki' } } });
    expect(await loadCollectorPolicy()).toBeUndefined();
    await fakeBrowser.storage.managed.set({ collector: { url: 'https://x.example/', format: 'loki' } });
    expect(await loadCollectorPolicy()).toMatchObject({ url: 'https://x.example/', format: 'loki' });
    vi.spyOn(fakeBrowser.storage.managed, 'get').mockRejectedValueOnce(new Error('Managed storage manifest not found'));
    expect(await loadCollectorPolicy()).toBeUndefined();
  });
});

describe('collector', () => {
  it('makes no request and queues nothing without a policy', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    const { collector, fetch } = harness();
    await collector.wake();
    await recorder.record([finding(1), finding(2, { severity: 'critical' })]);
    await collector.wake();
    expect(fetch).not.toHaveBeenCalled();
    expect(await collectorStatus(db)).toEqual({ queued: 0 });
  });

  it('sends incidents recorded after it was configured, at or above the minimum severity, with their hashes', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    await recorder.record([finding(0)]); // before the policy: not sent
    const { collector, bodies, idle } = harness({ policy: POLICY });
    await collector.wake();
    const recorded = await recorder.record([finding(1), finding(2, { severity: 'low' }), finding(3, { severity: 'critical' })]);
    await collector.wake(); // as the background does after every recording
    await clearLog(db, { browser: 'Firefox/140.0' }); // a marker: never sent, and queued copies survive the clearing
    await collector.wake();
    const rows = rowsOf(bodies);
    const sent = recorded.flatMap((r) => (r.status === 'new' && r.incident.severity !== 'low' ? [r.incident] : []));
    expect(rows.map((r) => r.hash)).toEqual(sent.map((i) => i.hash));
    expect(rows.map((r) => r.prev_hash)).toEqual(sent.map((i) => i.prevHash));
    expect(rows[0]).toMatchObject({ device: 'desk-12', rule: 'script.new-origin', dropped: 0 });
    expect((await collectorStatus(db)).queued).toBe(0);
    expect((await collectorStatus(db)).state?.lastDelivery?.count).toBe(2);
    expect(idle).toHaveBeenCalled();
  });

  it('keeps everything while the collector is down, backs off, and delivers it all once it is back', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    let clock = Date.UTC(2026, 4, 1);
    let up = false;
    const { collector, bodies, wakeAt } = harness({
      policy: POLICY,
      now: () => clock,
      batchSize: 3,
      respond: () => {
        if (!up) throw new TypeError('Failed to fetch');
        return new Response('', { status: 200 });
      },
    });
    await collector.wake();
    await recorder.record(Array.from({ length: 7 }, (_, i) => finding(i)));
    await collector.wake();
    let status = await collectorStatus(db);
    expect(status.queued).toBe(7);
    expect(status.state).toMatchObject({ failures: 1, nextAttemptAt: clock + 5_000, lastError: { message: 'TypeError: Failed to fetch' } });
    expect(wakeAt).toHaveBeenLastCalledWith(clock + 5_000);
    // Woken too early (a new incident): no request before the backoff is over.
    const before = bodies.length;
    await collector.wake();
    expect(bodies.length).toBe(before);
    clock += 5_000;
    await collector.wake();
    expect((await collectorStatus(db)).state).toMatchObject({ failures: 2, nextAttemptAt: clock + 10_000 });

    // The worker dies here: a new collector on the same database picks the queue up.
    up = true;
    clock += 10_000;
    const revived = harness({ policy: POLICY, now: () => clock, batchSize: 3 });
    await revived.collector.wake();
    expect(rowsOf(revived.bodies)).toHaveLength(7);
    expect(revived.bodies).toHaveLength(3);
    status = await collectorStatus(db);
    expect(status.queued).toBe(0);
    expect(status.state).toMatchObject({ failures: 0, nextAttemptAt: 0 });
    expect(status.state?.lastError).toBeUndefined();
  });

  it('narrows a batch the engine refuses down to the one record it will not take, drops that one (counted and named), and delivers the rest at once', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    const clock = 5_000_000;
    // The engine refuses any request that carries the fifth incident (its evidence names evil4).
    const { collector, bodies, wakeAt } = harness({
      policy: POLICY,
      now: () => clock,
      batchSize: 4,
      respond: (body) => new Response('', { status: body.includes('evil4.example') ? 400 : 200 }),
    });
    await collector.wake();
    const recorded = await recorder.record(Array.from({ length: 9 }, (_, i) => finding(i)));
    await collector.wake();
    const poison = recorded.flatMap((r) => (r.status === 'new' && r.incident.evidence.scriptOrigin === 'https://evil4.example' ? [r.incident.hash] : []));
    const stored = bodies.filter((b) => !b.includes('evil4.example'));
    expect(rowsOf(stored).map((r) => r.hash).sort()).toEqual(recorded.flatMap((r) => (r.status === 'new' ? [r.incident.hash] : [])).filter((h) => !poison.includes(h)).sort());
    const status = await collectorStatus(db);
    expect(status.queued).toBe(0);
    expect(status.state).toMatchObject({ dropped: 0, refused: 1, lastRefused: { hash: poison[0], error: 'HTTP 400' }, failures: 0 });
    expect(status.state?.lastError).toBeUndefined();
    expect(status.state?.suspect).toBeUndefined();
    // No backoff was needed: the engine was up all along.
    expect(wakeAt.mock.calls.every(([at]) => at === clock + 60_000)).toBe(true);
  });

  it('keeps everything and backs off when the engine refuses every record (a misconfigured collector, not a bad record)', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    const clock = 5_000_000;
    const { collector, wakeAt } = harness({ policy: POLICY, now: () => clock, batchSize: 4, respond: () => new Response('', { status: 400 }) });
    await collector.wake();
    await recorder.record(Array.from({ length: 6 }, (_, i) => finding(i)));
    await collector.wake();
    const status = await collectorStatus(db);
    expect(status.queued).toBe(6);
    expect(status.state).toMatchObject({ dropped: 0, failures: 1, nextAttemptAt: clock + 5_000, lastError: { message: 'HTTP 400' } });
    expect(status.state?.refused).toBeUndefined();
    expect(status.state?.suspect).toBeUndefined();
    expect(wakeAt).toHaveBeenLastCalledWith(clock + 5_000);
  });

  it('sends a batch again when the answer never came (at least once)', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    let clock = 1_000_000;
    const first = harness({ policy: POLICY, now: () => clock, respond: () => new Response('', { status: 503 }) });
    await first.collector.wake();
    await recorder.record([finding(1)]);
    await first.collector.wake();
    clock += 60_000;
    const second = harness({ policy: POLICY, now: () => clock });
    await second.collector.wake();
    expect(rowsOf(first.bodies).map((r) => r.hash)).toEqual(rowsOf(second.bodies).map((r) => r.hash));
  });

  it('bounds the queue, dropping the oldest, and reports the count in every later event', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    await feedQueue(db, POLICY);
    await recorder.record(Array.from({ length: 12 }, (_, i) => finding(i)));
    expect(await feedQueue(db, POLICY, { maxQueue: 10 })).toEqual({ queued: 12, dropped: 2 });
    const status = await collectorStatus(db);
    expect(status).toMatchObject({ queued: 10, state: { dropped: 2 } });
    const { collector, bodies } = harness({ policy: POLICY });
    await collector.wake();
    const rows = rowsOf(bodies);
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.dropped === 2)).toBe(true);
    expect(rows[0]!.evidence).toContain('evil2.example');
  });

  it('keeps the queue while the policy is briefly missing (a browser start), forgets it once withdrawn', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    await feedQueue(db, POLICY);
    await recorder.record([finding(1)]);
    await feedQueue(db, POLICY);
    let clock = 1_000_000;
    const missing = harness({ now: () => clock });
    await missing.collector.wake();
    expect(missing.fetch).not.toHaveBeenCalled();
    expect(await collectorStatus(db)).toMatchObject({ queued: 1, state: { suspendedSince: clock } });
    // The policy arrives a moment later: the queue is delivered.
    clock += 5_000;
    const back = harness({ policy: POLICY, now: () => clock });
    await back.collector.wake();
    expect(rowsOf(back.bodies)).toHaveLength(1);
    expect((await collectorStatus(db)).state?.suspendedSince).toBeUndefined();

    await recorder.record([finding(2)]);
    await feedQueue(db, POLICY);
    await missing.collector.wake();
    clock += WITHDRAWN_GRACE_MS;
    await missing.collector.wake();
    expect(missing.fetch).not.toHaveBeenCalled();
    expect(await collectorStatus(db)).toEqual({ queued: 0 });
  });

  it('backs off exponentially up to ten minutes', () => {
    expect([1, 2, 3, 4, 20].map((f) => backoffMs(f, () => 0))).toEqual([5_000, 10_000, 20_000, 40_000, 600_000]);
    expect(backoffMs(1, () => 1)).toBe(4_000);
  });
});

describe('collector and the log', () => {
  it('keeps queued copies when the user clears the log before they were delivered', async () => {
    db = freshDb();
    const recorder = createRecorder(db, { browser: 'Firefox/140.0' });
    let up = false;
    let clock = 1_000_000;
    const { collector, bodies } = harness({ policy: POLICY, now: () => clock, respond: () => new Response('', { status: up ? 200 : 503 }) });
    await collector.wake();
    const [recorded] = await recorder.record([finding(1)]);
    await collector.wake();
    await clearLog(db, { browser: 'Firefox/140.0' });
    up = true;
    clock += 60_000;
    await collector.wake();
    expect(rowsOf(bodies).at(-1)?.hash).toBe(recorded?.status === 'new' ? recorded.incident.hash : 'not new');
  });
});

describe('schema version 4', () => {
  it('adds the collector queue to a version 3 log and keeps its records', async () => {
    const { default: Dexie } = await import('dexie');
    const name = `upgrade-v3-${Math.random()}`;
    const v3 = new Dexie(name);
    v3.version(3).stores({
      incidents: '++id, ts, host, rule, kind, severity, dedupeKey, [host+ts], [kind+ts], [rule+ts]',
      occurrences: 'dedupeKey, incidentId, host, lastTs',
      baselines: 'host, lastSeen',
      tallies: 'name',
    });
    await v3.open();
    await v3.table('incidents').add({ ts: 5, kind: 'tls-downgrade', rule: 'tls.http-page', host: 'a.example', severity: 'high' });
    v3.close();
    const { openDb } = await import('@/lib/store/db');
    db = openDb(name);
    await db.open();
    expect(db.verno).toBeGreaterThanOrEqual(4);
    expect(await db.incidents.count()).toBe(1);
    expect(await collectorStatus(db)).toEqual({ queued: 0 });
  });
});
