import { afterEach, describe, expect, it } from 'vitest';
import type { TapguardDb } from '@/lib/store/db';
import { clearLog } from '@/lib/store/log';
import { dayIndex, localMidnight, logFacets, queryLog, timelineFor } from '@/lib/store/log-query';
import { freshDb, seed } from './log-fixtures';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const START = new Date(2026, 0, 1, 9).getTime();

let db: TapguardDb;
afterEach(async () => {
  await db?.delete();
});

/** 40 incidents, one every 6 hours from Jan 1 (local), rotating four rule/host/severity sets. */
async function seeded() {
  db = freshDb();
  await seed(db, 40, { start: START, stepMs: 6 * HOUR, varied: true });
  return db;
}

describe('queryLog', () => {
  it('pages newest first and counts all matches', async () => {
    await seeded();
    const first = await queryLog(db, {}, { offset: 0, limit: 15 });
    expect(first.total).toBe(40);
    expect(first.rows.map((r) => r.id)).toEqual(Array.from({ length: 15 }, (_, i) => 40 - i));
    const last = await queryLog(db, {}, { offset: 30, limit: 15 });
    expect(last.rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
  });

  it('filters by host, kind, rule, severity, time and text, alone and together', async () => {
    await seeded();
    const total = async (filter: Parameters<typeof queryLog>[1]) => (await queryLog(db, filter, { offset: 0, limit: 100 })).total;
    expect(await total({ host: 'chat.example.org' })).toBe(20);
    expect(await total({ kind: 'tls-downgrade' })).toBe(20);
    expect(await total({ rule: 'cert.untrusted-root' })).toBe(10);
    expect(await total({ minSeverity: 'high' })).toBe(30);
    expect(await total({ minSeverity: 'critical' })).toBe(20);
    expect(await total({ host: 'mail.example.org', kind: 'cert-anomaly' })).toBe(10);
    expect(await total({ rule: 'tls.http-page', host: 'mail.example.org' })).toBe(0);
    expect(await total({ from: START + DAY, to: START + 2 * DAY - 1 })).toBe(4);
    expect(await total({ kind: 'script-injection', from: START, to: START + DAY - 1 })).toBe(1);
    expect(await total({ text: 'INTERCEPTED' })).toBe(10);
    expect(await total({ text: 'chat.example' })).toBe(20);
    expect(await total({ text: 'tls.mixed' })).toBe(10);
    const page = await queryLog(db, { host: 'chat.example.org', minSeverity: 'critical' }, { offset: 0, limit: 3 });
    expect(page.total).toBe(10);
    expect(page.rows.every((r) => r.rule === 'tls.http-page')).toBe(true);
    expect(page.rows[0]!.ts).toBeGreaterThan(page.rows[1]!.ts);
  });

  it('lists log markers, and facets leave them out', async () => {
    await seeded();
    await clearLog(db, { browser: 'x' });
    const page = await queryLog(db, {}, { offset: 0, limit: 10 });
    expect(page.rows.map((r) => r.kind)).toEqual(['meta']);
    expect(await queryLog(db, { kind: 'tls-downgrade' }, { offset: 0, limit: 10 })).toEqual({ rows: [], total: 0 });
    expect(await logFacets(db)).toEqual({ hosts: [], rules: [] });
  });

  it('offers the hosts and rules present', async () => {
    await seeded();
    expect(await logFacets(db)).toEqual({
      hosts: ['chat.example.org', 'mail.example.org'],
      rules: ['cert.untrusted-root', 'script.new-origin', 'tls.http-page', 'tls.mixed-content'],
    });
  });
});

describe('timelineFor', () => {
  it('counts incidents per local day by kind', async () => {
    await seeded();
    const now = START + 20 * DAY;
    const timeline = await timelineFor(db, {}, now);
    expect(timeline.start).toBe(localMidnight(START));
    expect(timeline.bucketDays).toBe(1);
    expect(timeline.bars).toHaveLength(dayIndex(timeline.start, now) + 1);
    expect(timeline.total).toBe(40);
    // Day one starts at 09:00: three records; every later day has four.
    expect(timeline.bars[0]).toEqual({ 'script-injection': 1, 'tls-downgrade': 1, 'cert-anomaly': 1 });
    expect(timeline.bars[1]).toEqual({ 'script-injection': 1, 'tls-downgrade': 2, 'cert-anomaly': 1 });
    expect(timeline.max).toBe(4);
    expect(timeline.bars.at(-1)).toEqual({ 'script-injection': 0, 'tls-downgrade': 0, 'cert-anomaly': 0 });
  });

  it('agrees between the index-only path and the record path', async () => {
    await seeded();
    const now = START + 12 * DAY;
    const byIndex = await timelineFor(db, { kind: 'tls-downgrade' }, now);
    const byRecords = await timelineFor(db, { kind: 'tls-downgrade', text: 'example.org' }, now);
    expect(byRecords.bars).toEqual(byIndex.bars);
    expect(byIndex.total).toBe(20);
  });

  it('groups days into fewer bars over long ranges, and shows two weeks at least', async () => {
    await seeded();
    const long = await timelineFor(db, { from: START - 400 * DAY }, START + 20 * DAY);
    expect(long.bars.length).toBeLessThanOrEqual(90);
    expect(long.bucketDays).toBeGreaterThan(1);
    expect(long.total).toBe(40);
    db = freshDb();
    const empty = await timelineFor(db, {}, START);
    expect(empty.bars).toHaveLength(14);
    expect(empty.total).toBe(0);
  });
});
