/**
 * Storage faults below Dexie: IndexedDB's own `IDBObjectStore.add` (fake-indexeddb's) throws
 * QuotaExceededError, in either store the recorder writes, in the middle of a batch, or for a
 * long while. Whatever happens, the stored chain must verify, no batch may be half written, and
 * the recorder must keep working once space is back. (tests/unit/log.test.ts covers the same
 * recorder through a Dexie hook; this goes one layer down, where a browser raises the error.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TapguardDb } from '@/lib/store/db';
import { verifyChain } from '@/lib/store/export';
import { createRecorder, EMERGENCY_TRIM_INTERVAL_MS, isQuotaError } from '@/lib/store/incidents';
import { countIncidents } from '@/lib/store/queries';
import { chainTable } from '@/lib/store/log';
import { finding, freshDb, seed } from './log-fixtures';

let db: TapguardDb;
afterEach(async () => {
  vi.restoreAllMocks();
  await db?.delete();
});

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
const chain = () => chainTable(db).orderBy(':id').toArray();

/**
 * Makes IDBObjectStore.add throw QuotaExceededError for the chosen store whenever `fail` says so;
 * `fail` gets the store name and how many adds to that store were attempted before.
 */
function quotaOn(fail: (store: string, attempt: number) => boolean) {
  const original = IDBObjectStore.prototype.add;
  const attempts = new Map<string, number>();
  return vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
    const attempt = attempts.get(this.name) ?? 0;
    attempts.set(this.name, attempt + 1);
    if (fail(this.name, attempt)) throw quotaError();
    return original.apply(this, args);
  });
}

const retention = async () => ({ retentionDays: 3650, maxIncidents: 1000 });

describe('recorder when IndexedDB runs out of quota', () => {
  it('rolls back a batch that failed half way, then writes all of it after trimming', async () => {
    db = freshDb();
    await seed(db, 10);
    // The third incident of the batch hits the quota, once.
    quotaOn((store, attempt) => store === 'incidents' && attempt === 2);
    const recorder = createRecorder(db, { browser: 'x', retention });
    const results = await recorder.record([1, 2, 3, 4, 5].map((i) => finding(100 + i)));
    expect(results.map((r) => r.status)).toEqual(['new', 'new', 'new', 'new', 'new']);
    const rows = await chain();
    // Retention freed nothing (limits are loose), so the oldest tenth (1 of 10) made room.
    expect(rows).toHaveLength(10 - 1 + 5);
    expect(verifyChain(rows)).toEqual({ ok: true, count: rows.length, gaps: 0 });
    expect(await db.occurrences.count()).toBe(rows.length);
  });

  it('handles the quota hitting the repeat-count store just the same', async () => {
    db = freshDb();
    await seed(db, 4);
    quotaOn((store, attempt) => store === 'occurrences' && attempt === 0);
    const recorder = createRecorder(db, { browser: 'x', retention });
    const [result] = await recorder.record([finding(50)]);
    expect(result?.status).toBe('new');
    const rows = await chain();
    expect(verifyChain(rows).ok).toBe(true);
    // Every incident has its repeat count, and no count points at a missing incident.
    const ids = new Set(rows.map((r) => r.id));
    const occurrences = await db.occurrences.toArray();
    expect(occurrences.every((o) => ids.has(o.incidentId))).toBe(true);
    expect(occurrences).toHaveLength(rows.length);
  });

  it('rejects every record while the disk stays full, corrupts nothing, and chains on once space is back', async () => {
    db = freshDb();
    await seed(db, 30);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let full = true;
    quotaOn((store) => full && store === 'incidents');
    const recorder = createRecorder(db, { browser: 'x', retention });
    for (let i = 0; i < 5; i++) await expect(recorder.record([finding(200 + i)])).rejects.toSatisfy(isQuotaError);
    expect(errors).toHaveBeenCalledTimes(5);
    // Emergency trimming ran once (a tenth), not on each failure, and only removed a prefix:
    // what is left verifies.
    const during = await chain();
    expect(during).toHaveLength(30 - 3);
    expect(verifyChain(during).ok).toBe(true);
    full = false;
    const results = await recorder.record([finding(300), finding(301)]);
    expect(results.map((r) => r.status)).toEqual(['new', 'new']);
    const after = await chain();
    expect(after.at(-2)!.prevHash).toBe(during.at(-1)!.hash);
    expect(verifyChain(after)).toEqual({ ok: true, count: after.length, gaps: 0 });
  });

  it('trims in an emergency again only after EMERGENCY_TRIM_INTERVAL_MS', async () => {
    db = freshDb();
    await seed(db, 30);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    quotaOn((store) => store === 'incidents');
    let clock = Date.UTC(2026, 5, 1);
    const recorder = createRecorder(db, { browser: 'x', retention, now: () => clock });
    await expect(recorder.record([finding(200)])).rejects.toSatisfy(isQuotaError);
    clock += EMERGENCY_TRIM_INTERVAL_MS - 1;
    await expect(recorder.record([finding(201)])).rejects.toSatisfy(isQuotaError);
    expect(await chain()).toHaveLength(27);
    clock += 1;
    await expect(recorder.record([finding(202)])).rejects.toSatisfy(isQuotaError);
    const rows = await chain();
    expect(rows).toHaveLength(27 - 3);
    expect(verifyChain(rows).ok).toBe(true);
    expect(await countIncidents(db)).toBe(24);
  });

  it('keeps concurrent writers on one chain while some of their writes hit the quota', async () => {
    db = freshDb();
    await seed(db, 30);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    quotaOn((store, attempt) => store === 'incidents' && attempt % 7 === 3);
    const a = createRecorder(db, { browser: 'a', retention });
    const b = createRecorder(db, { browser: 'b', retention });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).record([finding(400 + i), finding(500 + i)])),
    );
    // A write that fails twice is rejected; the rest land. Either way the chain holds.
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThan(0);
    const rows = await chain();
    expect(verifyChain(rows)).toEqual({ ok: true, count: rows.length, gaps: 0 });
    // Rolled-back batches did not move the running total either.
    expect(await countIncidents(db)).toBe(rows.length);
  });
});
