import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { exportJsonl, verifyChain, verifyJsonl, linesOf } from '@/lib/store/export';
import { createRecorder, GENESIS_HASH, isQuotaError } from '@/lib/store/incidents';
import { chainTable, clearLog, isLogMarker } from '@/lib/store/log';
import { countIncidents, incidentsForHost, incidentsForKeys, recountIncidents } from '@/lib/store/queries';
import { applyRetention, countBeyondRetention, pruneOldest } from '@/lib/store/retention';
import { collect, finding, freshDb, seed } from './log-fixtures';

const DAY = 24 * 60 * 60 * 1000;
const META = { tapguardVersion: '0.1.0', browser: 'Chrome/140', checks: [], exportedAt: '2026-01-01T00:00:00.000Z' };

let db: TapguardDb;
afterEach(async () => {
  vi.restoreAllMocks();
  await db?.delete();
});

const chain = () => chainTable(db).orderBy(':id').toArray();

describe('clearLog', () => {
  it('empties the log and starts a new chain with a marker linked to the old head', async () => {
    db = freshDb();
    await seed(db, 5);
    const head = (await chain()).at(-1)!;
    const { cleared, marker } = await clearLog(db, { browser: 'Chrome/140', now: 123 });
    expect(cleared).toBe(5);
    const rows = await chain();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'meta', rule: 'meta.log-cleared', severity: 'info', host: '', prevHash: head.hash, ts: 123 });
    expect(rows[0]!.evidence).toMatchObject({ clearedRecords: 5, previousHead: head.hash });
    expect(marker.id).toBeGreaterThan(head.id!);
    expect(await db.occurrences.count()).toBe(0);
    expect(verifyChain(rows)).toEqual({ ok: true, count: 1, gaps: 0 });
  });

  it('is invisible to everything that asks about incidents', async () => {
    db = freshDb();
    await seed(db, 2);
    await clearLog(db, { browser: 'Chrome/140' });
    expect(await countIncidents(db)).toBe(0);
    expect(await incidentsForHost(db, '')).toEqual([]);
    expect(await incidentsForHost(db, 'mail.example.org')).toEqual([]);
    expect(await incidentsForKeys(db, ['script.new-origin|mail.example.org|origin-0'])).toEqual([]);
  });

  it('lets the recorder continue the new chain, and the export verify', async () => {
    db = freshDb();
    await seed(db, 3);
    await clearLog(db, { browser: 'Chrome/140' });
    const recorder = createRecorder(db, { browser: 'Chrome/140' });
    const [again] = await recorder.record([finding(0)]);
    expect(again?.status).toBe('new'); // its repeat count went with the log
    expect(await countIncidents(db)).toBe(1);
    const rows = await chain();
    expect(rows.map((r) => isLogMarker(r))).toEqual([true, false]);
    expect(verifyChain(rows).ok).toBe(true);
    const result = await verifyJsonl(linesOf(await collect(exportJsonl(db, META))));
    expect(result).toMatchObject({ ok: true, count: 2, markers: 1, startsAtGenesis: false });
  });

  it('starts at genesis when the log was already empty', async () => {
    db = freshDb();
    const { cleared, marker } = await clearLog(db, { browser: 'Chrome/140' });
    expect(cleared).toBe(0);
    expect(marker.prevHash).toBe(GENESIS_HASH);
  });
});

describe('applyRetention', () => {
  it('keeps at most maxIncidents, deleting the oldest low and medium ones, and the rest still verifies', async () => {
    db = freshDb();
    await seed(db, 30, { patch: { severity: 'low' } });
    expect(await countBeyondRetention(db, { retentionDays: 3650, maxIncidents: 10 }, Date.UTC(2026, 0, 2))).toBe(20);
    const result = await applyRetention(db, { retentionDays: 3650, maxIncidents: 10 }, Date.UTC(2026, 0, 2));
    expect(result).toEqual({ deleted: 20, firstKeptId: 21 });
    const rows = await chain();
    // The kept ten, then the chain's own note of the removal.
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 11 }, (_, i) => 21 + i));
    expect(rows.at(-1)).toMatchObject({ kind: 'meta', rule: 'meta.records-removed', evidence: { removedRecords: 20, hostQuota: 20, countLimit: 0 } });
    expect(rows[0]!.prevHash).not.toBe(GENESIS_HASH);
    expect(verifyChain(rows).ok).toBe(true);
    expect(await db.occurrences.count()).toBe(10);
  });

  it('deletes by age', async () => {
    db = freshDb();
    await seed(db, 10, { start: Date.UTC(2026, 0, 1), stepMs: DAY });
    // Records on Jan 1..10; on Jan 12 with 5 days kept, Jan 7 and later remain.
    const result = await applyRetention(db, { retentionDays: 5, maxIncidents: 1000 }, Date.UTC(2026, 0, 12));
    expect(result.deleted).toBe(6);
    const rows = await chain();
    expect(new Date(rows[0]!.ts).toISOString()).toBe('2026-01-07T00:00:00.000Z');
    expect(verifyChain(rows).ok).toBe(true);
  });

  it('only ever deletes a prefix, even when the clock once went back', async () => {
    db = freshDb();
    const times = [1, 2, 30, 3, 31, 32].map((d) => Date.UTC(2026, 0, d));
    let i = 0;
    const recorder = createRecorder(db, { browser: 'x', now: () => times[i++]! });
    await recorder.record(times.map((_, k) => finding(k)));
    const result = await applyRetention(db, { retentionDays: 10, maxIncidents: 1000 }, Date.UTC(2026, 1, 1));
    // Jan 1 and 2 go; the stale Jan 3 record stays because a newer one comes before it.
    expect(result.deleted).toBe(2);
    expect(verifyChain(await chain()).ok).toBe(true);
  });

  it('does nothing within the limits, and empties the log when everything is too old', async () => {
    db = freshDb();
    await seed(db, 3);
    expect(await applyRetention(db, { retentionDays: 3650, maxIncidents: 1000 }, Date.UTC(2026, 0, 2))).toEqual({ deleted: 0, firstKeptId: 1 });
    expect(await applyRetention(db, { retentionDays: 1, maxIncidents: 1000 }, Date.UTC(2027, 0, 1))).toEqual({ deleted: 3 });
    expect(await db.occurrences.count()).toBe(0);
    expect(await applyRetention(db, { retentionDays: 1, maxIncidents: 1000 }, Date.UTC(2027, 0, 1))).toEqual({ deleted: 0 });
  });

  it('lets a repeat of a pruned incident start a new one', async () => {
    db = freshDb();
    const recorder = await seed(db, 5);
    await pruneOldest(db, 2);
    const [result] = await recorder.record([finding(0)]);
    expect(result?.status).toBe('new');
    expect(verifyChain(await chain()).ok).toBe(true);
  });
});

describe('recorder under a full quota', () => {
  const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

  it('recognises the quota error however Dexie wraps it', () => {
    expect(isQuotaError(quotaError())).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('aborted', quotaError()))).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
    expect(isQuotaError(undefined)).toBe(false);
  });

  it('applies retention and retries once', async () => {
    db = freshDb();
    await seed(db, 20, { patch: { severity: 'medium' } });
    let failures = 1;
    db.incidents.hook('creating', () => {
      if (failures-- > 0) throw quotaError();
    });
    const recorder = createRecorder(db, { browser: 'x', retention: async () => ({ retentionDays: 3650, maxIncidents: 10 }) });
    const [result] = await recorder.record([finding(99)]);
    expect(result?.status).toBe('new');
    const rows = await chain();
    // Ten kept, the removal marker, the new incident.
    expect(rows).toHaveLength(12);
    expect(verifyChain(rows).ok).toBe(true);
  });

  it('drops the oldest tenth when retention frees nothing', async () => {
    db = freshDb();
    await seed(db, 20);
    let failures = 1;
    db.incidents.hook('creating', () => {
      if (failures-- > 0) throw quotaError();
    });
    const recorder = createRecorder(db, { browser: 'x', retention: async () => ({ retentionDays: 3650, maxIncidents: 100_000 }) });
    await recorder.record([finding(99)]);
    const rows = await chain();
    expect(rows[0]!.id).toBe(3);
    expect(rows).toHaveLength(19);
    expect(verifyChain(rows).ok).toBe(true);
  });

  it('logs and rejects when the retry fails too, and keeps working afterwards', async () => {
    db = freshDb();
    await seed(db, 3);
    let failures = 2;
    db.incidents.hook('creating', () => {
      if (failures-- > 0) throw quotaError();
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const recorder = createRecorder(db, { browser: 'x', retention: async () => ({ retentionDays: 3650, maxIncidents: 1000 }) });
    await expect(recorder.record([finding(99)])).rejects.toSatisfy(isQuotaError);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('not recorded: script.new-origin'), expect.anything());
    expect(String(errors.mock.calls)).not.toContain('_uid');
    const [later] = await recorder.record([finding(100)]);
    expect(later?.status).toBe('new');
    expect(verifyChain(await chain()).ok).toBe(true);
  });
});

describe('schema upgrade', () => {
  it('keeps version 1 data and adds the log indexes', async () => {
    const name = `upgrade-${Math.random()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({
      incidents: '++id, ts, host, rule, kind, severity, dedupeKey, [host+ts]',
      occurrences: 'dedupeKey, incidentId, host, lastTs',
      baselines: 'host, lastSeen',
    });
    await v1.open();
    await v1.table('incidents').add({ ts: 5, kind: 'tls-downgrade', rule: 'tls.http-page', host: 'a.example', severity: 'high' });
    v1.close();
    db = openDb(name);
    await db.open();
    // The latest version (4 added the collector's queue; later versions may follow).
    expect(db.verno).toBeGreaterThanOrEqual(4);
    expect(await db.incidents.count()).toBe(1);
    expect(await db.incidents.where('[kind+ts]').between(['tls-downgrade', 0], ['tls-downgrade', 10]).count()).toBe(1);
  });

  it('starts the running total of a version 2 log from its records, markers excluded', async () => {
    const name = `upgrade-${Math.random()}`;
    const v2 = new Dexie(name);
    v2.version(2).stores({
      incidents: '++id, ts, host, rule, kind, severity, dedupeKey, [host+ts], [kind+ts], [rule+ts]',
      occurrences: 'dedupeKey, incidentId, host, lastTs',
      baselines: 'host, lastSeen',
    });
    await v2.open();
    await v2.table('incidents').bulkAdd([
      { ts: 1, kind: 'meta', rule: 'meta.log-cleared', host: '', severity: 'info' },
      { ts: 2, kind: 'tls-downgrade', rule: 'tls.http-page', host: 'a.example', severity: 'high' },
      { ts: 3, kind: 'cert-anomaly', rule: 'cert.expired', host: 'a.example', severity: 'high' },
    ]);
    v2.close();
    db = openDb(name);
    expect(await countIncidents(db)).toBe(2);
  });
});

describe('running incident total', () => {
  it('follows the recorder, repeats, retention, emergency pruning and clearing, as a fresh count would', async () => {
    db = freshDb();
    const fresh = async () => (await db.incidents.count()) - (await db.incidents.where('kind').equals('meta').count());
    expect(await countIncidents(db)).toBe(0);
    const recorder = await seed(db, 12);
    await recorder.record([finding(0), finding(1), finding(50)]); // two repeats, one new
    expect(await countIncidents(db)).toBe(13);
    await clearLog(db, { browser: 'x' });
    expect(await countIncidents(db)).toBe(0);
    await recorder.record([finding(60), finding(61), finding(62), finding(63)]);
    expect(await countIncidents(db)).toBe(4);
    // The prefix holds the clearing marker and one incident.
    await pruneOldest(db, 2);
    expect(await countIncidents(db)).toBe(3);
    expect(await countIncidents(db)).toBe(await fresh());
    // High incidents are not deleted to keep within the count, only by age.
    await applyRetention(db, { retentionDays: 3650, maxIncidents: 1 }, Date.now());
    expect(await countIncidents(db)).toBe(3);
    await recorder.record([finding(70, { severity: 'low' }), finding(71, { severity: 'medium' })]);
    await applyRetention(db, { retentionDays: 3650, maxIncidents: 1 }, Date.now());
    expect(await countIncidents(db)).toBe(3);
    expect(await countIncidents(db)).toBe(await fresh());
    await applyRetention(db, { retentionDays: 1, maxIncidents: 1000 }, Date.now() + 5 * 365 * DAY);
    expect(await countIncidents(db)).toBe(0);
    expect(await fresh()).toBe(0);
  });

  it('is set again from the records by recountIncidents after rows were written around the recorder', async () => {
    db = freshDb();
    await seed(db, 3);
    await db.incidents.bulkAdd([{ ...(await db.incidents.get(1))!, id: undefined as unknown as number }]);
    expect(await countIncidents(db)).toBe(3);
    expect(await recountIncidents(db)).toBe(4);
    expect(await countIncidents(db)).toBe(4);
  });
});
