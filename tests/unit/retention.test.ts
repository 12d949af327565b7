/**
 * Retention protects evidence: high and critical incidents go only by age; room is made from
 * info, low and medium records, hosts over their quota first; the chain stays verifiable with
 * its holes declared; the emergency trim's rate limit survives a worker restart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { exportJsonl, verifyChain, verifyJsonl, linesOf, isPartialChain } from '@/lib/store/export';
import { createRecorder } from '@/lib/store/incidents';
import { chainTable } from '@/lib/store/log';
import { countIncidents } from '@/lib/store/queries';
import { applyRetention, countBeyondRetention, emergencyTrim, EMERGENCY_TRIM_INTERVAL_MS, hostQuota } from '@/lib/store/retention';
import type { Finding, Severity } from '@/lib/core/types';
import { collect, finding, freshDb } from './log-fixtures';

let db: TapguardDb;
afterEach(async () => {
  vi.restoreAllMocks();
  await db?.delete();
});

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);
const chain = () => chainTable(db).orderBy(':id').toArray();
const META = { tapguardVersion: '0.1.0', browser: 'Firefox/140.0', checks: [], exportedAt: '2026-05-01T12:00:00.000Z' };

/** Records one finding per minute from START, in the order given. */
async function record(specs: ReadonlyArray<{ severity: Severity; host?: string }>) {
  let ts = START;
  const recorder = createRecorder(db, { browser: 'x', now: () => (ts += 60_000) });
  const findings: Finding[] = specs.map((s, i) => finding(i, { severity: s.severity, host: s.host ?? 'mail.example.org', dedupeParts: [`n${i}`] }));
  await recorder.record(findings);
}

const severities = async () => (await chain()).filter((r) => r.kind !== 'meta').map((r) => r.severity);

describe('retention priority', () => {
  it('makes room from low and medium records only, oldest first, and never from high or critical ones', async () => {
    db = freshDb();
    // Old evidence first, then a flood of low findings.
    await record([
      { severity: 'critical' },
      { severity: 'high' },
      { severity: 'medium' },
      { severity: 'low' },
      ...Array.from({ length: 8 }, () => ({ severity: 'low' as const })),
    ]);
    const limits = { retentionDays: 3650, maxIncidents: 6 };
    expect(await countBeyondRetention(db, limits, START + DAY)).toBe(6);
    const result = await applyRetention(db, limits, START + DAY);
    expect(result.deleted).toBe(6);
    // The critical and high records survive; medium (id 3) and the oldest lows went.
    expect(await severities()).toEqual(['critical', 'high', 'low', 'low', 'low', 'low']);
    expect(await countIncidents(db)).toBe(6);
    expect((await chain()).map((r) => r.id)).toEqual([1, 2, 9, 10, 11, 12, 13]);
  });

  it('keeps every high and critical incident even above maxIncidents', async () => {
    db = freshDb();
    await record(Array.from({ length: 10 }, (_, i) => ({ severity: i % 2 ? ('high' as const) : ('critical' as const) })));
    const limits = { retentionDays: 3650, maxIncidents: 4 };
    expect(await countBeyondRetention(db, limits, START + DAY)).toBe(0);
    expect(await applyRetention(db, limits, START + DAY)).toMatchObject({ deleted: 0 });
    expect(await countIncidents(db)).toBe(10);
  });

  it('still deletes high and critical incidents by age', async () => {
    db = freshDb();
    await record([{ severity: 'critical' }, { severity: 'high' }, { severity: 'low' }]);
    const result = await applyRetention(db, { retentionDays: 1, maxIncidents: 1000 }, START + 3 * DAY);
    expect(result).toEqual({ deleted: 3 });
  });

  it('leaves a verifiable chain: a marker records the removal, and the export declares every hole', async () => {
    db = freshDb();
    await record(['high', 'low', 'high', 'medium', 'low', 'critical', 'low', 'low'].map((severity) => ({ severity: severity as Severity })));
    await applyRetention(db, { retentionDays: 3650, maxIncidents: 5 }, START + DAY, { browser: 'Firefox/140.0' });
    const rows = await chain();
    expect(rows.map((r) => r.id)).toEqual([1, 3, 6, 7, 8, 9]);
    const marker = rows.at(-1)!;
    expect(marker).toMatchObject({ kind: 'meta', rule: 'meta.records-removed', severity: 'info', host: '', evidence: { removedRecords: 3, firstRemovedId: 2, lastRemovedId: 5 } });
    // The marker links to the head as it was (id 8).
    expect(marker.prevHash).toBe(rows.find((r) => r.id === 8)!.hash);
    expect(verifyChain(rows)).toEqual({ ok: true, count: 6, gaps: 2 });

    const text = await collect(exportJsonl(db, META));
    expect(text.match(/tapguardRemoved/g)?.length).toBe(3); // two holes, and the header's note
    const result = await verifyJsonl(linesOf(text));
    expect(result).toMatchObject({ ok: true, count: 6, markers: 1, holes: 2, removedIds: 3, startsAtGenesis: true });
    expect(isPartialChain(result)).toBe(true);
  });

  it('declares a hole before the marker when the head itself was removed', async () => {
    db = freshDb();
    await record(['high', 'high', 'low'].map((severity) => ({ severity: severity as Severity })));
    await applyRetention(db, { retentionDays: 3650, maxIncidents: 2 }, START + DAY);
    expect((await chain()).map((r) => r.id)).toEqual([1, 2, 4]);
    expect(await verifyJsonl(linesOf(await collect(exportJsonl(db, META))))).toMatchObject({ ok: true, count: 3, holes: 1, removedIds: 1 });
  });
});

describe('host quota', () => {
  it('is a bounded share of the log', () => {
    expect(hostQuota(100_000)).toBe(25_000);
    expect(hostQuota(2)).toBe(1);
  });

  it('makes a flooding host pay for room before the older records of other hosts', async () => {
    db = freshDb();
    // Two old low records of the chat host, then a flood from the mail host.
    await record([
      { severity: 'low', host: 'chat.example.org' },
      { severity: 'medium', host: 'chat.example.org' },
      ...Array.from({ length: 10 }, () => ({ severity: 'low' as const, host: 'mail.example.org' })),
    ]);
    // maxIncidents 8: 4 must go. The mail host holds 10, over its quota of 2; it gives up its
    // 4 oldest, and the chat host's records, older still, stay.
    const result = await applyRetention(db, { retentionDays: 3650, maxIncidents: 8 }, START + DAY);
    expect(result.deleted).toBe(4);
    const rows = (await chain()).filter((r) => r.kind !== 'meta');
    expect(rows.filter((r) => r.host === 'chat.example.org')).toHaveLength(2);
    expect(rows.filter((r) => r.host === 'mail.example.org').map((r) => r.id)).toEqual([7, 8, 9, 10, 11, 12]);
    expect((await chain()).at(-1)).toMatchObject({ evidence: { hostQuota: 4, countLimit: 0 } });
  });

  it('falls back to the oldest of all once every host is within its quota', async () => {
    db = freshDb();
    const hosts = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example'];
    await record(hosts.flatMap((host) => [{ severity: 'low' as const, host }, { severity: 'low' as const, host }]));
    // maxIncidents 8, quota 2 each: no host is over, so the two oldest records go.
    await applyRetention(db, { retentionDays: 3650, maxIncidents: 8 }, START + DAY);
    expect((await chain()).filter((r) => r.kind !== 'meta').map((r) => r.id)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await chain()).at(-1)).toMatchObject({ evidence: { hostQuota: 0, countLimit: 2 } });
  });
});

describe('emergency trim', () => {
  it('deletes the oldest tenth of low and medium records and notes it in the chain', async () => {
    db = freshDb();
    await record(Array.from({ length: 20 }, (_, i) => ({ severity: i < 5 ? ('critical' as const) : ('low' as const) })));
    const trim = await emergencyTrim(db, { now: START + DAY, forSevere: false });
    expect(trim).toMatchObject({ deleted: 2, rateLimited: false });
    const rows = await chain();
    expect(rows.filter((r) => r.severity === 'critical')).toHaveLength(5);
    expect(rows.map((r) => r.id).slice(5, 7)).toEqual([8, 9]);
    expect(rows.at(-1)).toMatchObject({ rule: 'meta.records-removed', evidence: { storageFull: 2 } });
    expect(verifyChain(rows)).toMatchObject({ ok: true, gaps: 1 });
  });

  it('deletes high or critical records only to make room for a high or critical finding', async () => {
    db = freshDb();
    await record(Array.from({ length: 20 }, () => ({ severity: 'high' as const })));
    expect(await emergencyTrim(db, { now: START + DAY, forSevere: false })).toMatchObject({ deleted: 0 });
    expect(await countIncidents(db)).toBe(20);
    expect(await emergencyTrim(db, { now: START + DAY + EMERGENCY_TRIM_INTERVAL_MS, forSevere: true })).toMatchObject({ deleted: 2, firstKeptId: 3 });
    expect(verifyChain(await chain())).toMatchObject({ ok: true, gaps: 0 });
  });

  it('keeps its rate limit across a worker restart (the time is stored, not held in memory)', async () => {
    const name = `retention-restart-${Math.random()}`;
    db = openDb(name);
    await record(Array.from({ length: 30 }, () => ({ severity: 'low' as const })));
    const t0 = START + DAY;
    expect(await emergencyTrim(db, { now: t0, forSevere: false })).toMatchObject({ deleted: 3 });
    // A new worker: a fresh connection, nothing in memory.
    db.close();
    db = openDb(name);
    expect(await emergencyTrim(db, { now: t0 + EMERGENCY_TRIM_INTERVAL_MS - 1, forSevere: false })).toMatchObject({ deleted: 0, rateLimited: true });
    expect(await emergencyTrim(db, { now: t0 + EMERGENCY_TRIM_INTERVAL_MS, forSevere: false })).toMatchObject({ rateLimited: false });
    expect((await db.tallies.get('emergencyTrimAt'))?.count).toBe(t0 + EMERGENCY_TRIM_INTERVAL_MS);
  });

  it('is not locked out by a clock that went back', async () => {
    db = freshDb();
    await record(Array.from({ length: 30 }, () => ({ severity: 'low' as const })));
    await emergencyTrim(db, { now: START + 10 * DAY, forSevere: false });
    expect(await emergencyTrim(db, { now: START + DAY, forSevere: false })).toMatchObject({ rateLimited: false });
  });

  it('is what the recorder falls back to, and a restarted recorder respects the stored limit', async () => {
    const name = `retention-recorder-${Math.random()}`;
    db = openDb(name);
    await record(Array.from({ length: 30 }, () => ({ severity: 'low' as const })));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let clock = START + DAY;
    const retention = async () => ({ retentionDays: 3650, maxIncidents: 1000 });
    const failOnce = () => {
      let failures = 1;
      return db.incidents.hook('creating', () => {
        if (failures-- > 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      });
    };
    failOnce();
    await createRecorder(db, { browser: 'x', retention, now: () => clock }).record([finding(100, { severity: 'low' })]);
    const afterFirst = await countIncidents(db);
    expect(afterFirst).toBe(30 - 3 + 1);
    db.close();
    db = openDb(name);
    clock += 60_000;
    failOnce();
    await createRecorder(db, { browser: 'x', retention, now: () => clock }).record([finding(101, { severity: 'low' })]);
    // Rate-limited: nothing more trimmed, the retry wrote the finding.
    expect(await countIncidents(db)).toBe(afterFirst + 1);
  });
});
