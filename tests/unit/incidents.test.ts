import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type TapguardDb } from '@/lib/store/db';
import { createRecorder, GENESIS_HASH, hashIncident, newCriticalIncidents } from '@/lib/store/incidents';
import type { Finding, Incident } from '@/lib/core/types';

let db: TapguardDb;
let n = 0;
function freshDb() {
  db = openDb(`incidents-test-${n++}`);
  return db;
}
afterEach(async () => {
  await db.delete();
});

function finding(patch: Partial<Finding> = {}): Finding {
  return {
    rule: 'script.new-origin',
    severity: 'high',
    host: 'mail.example.org',
    url: 'https://mail.example.org/?_task=mail&_uid=42#msg',
    evidence: { scriptOrigin: 'https://evil.example' },
    dedupeParts: ['https://evil.example'],
    ...patch,
  };
}

function verifyChain(rows: Incident[]): boolean {
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (row.prevHash !== prev || hashIncident(row) !== row.hash) return false;
    prev = row.hash;
  }
  return true;
}

describe('recorder', () => {
  it('turns a finding into a worded, sanitised, chained incident', async () => {
    const recorder = createRecorder(freshDb(), { browser: 'firefox 153', now: () => 5 });
    const [result] = await recorder.record([finding()]);
    expect(result?.status).toBe('new');
    const [row] = await db.incidents.toArray();
    expect(row).toMatchObject({
      ts: 5,
      kind: 'script-injection',
      rule: 'script.new-origin',
      severity: 'high',
      url: 'https://mail.example.org/',
      browser: 'firefox 153',
      prevHash: GENESIS_HASH,
      dedupeKey: 'script.new-origin|mail.example.org|https://evil.example',
    });
    expect(row!.title).toContain('mail.example.org');
    expect(row!.hash).toBe(hashIncident(row!));
  });

  it('counts repeats of a dedupe key instead of appending them', async () => {
    const recorder = createRecorder(freshDb(), { browser: 'chrome' });
    await recorder.record([finding()]);
    const [again] = await recorder.record([finding()]);
    expect(again).toMatchObject({ status: 'repeat', count: 2 });
    expect(await db.incidents.count()).toBe(1);
    expect((await db.occurrences.toArray())[0]).toMatchObject({ count: 2 });
  });

  it('never forks the chain when two recorders write at once', async () => {
    freshDb();
    const a = createRecorder(db, { browser: 'chrome' });
    const b = createRecorder(openDb(db.name), { browser: 'chrome' });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).record([finding({ dedupeParts: [`o${i}`], evidence: { i } })]),
      ),
    );
    const rows = await db.incidents.orderBy('id').toArray();
    expect(rows).toHaveLength(40);
    expect(verifyChain(rows)).toBe(true);
  });

  it('makes any edit of a stored incident break the chain', async () => {
    const recorder = createRecorder(freshDb(), { browser: 'chrome' });
    await recorder.record([finding({ dedupeParts: ['1'] }), finding({ dedupeParts: ['2'] })]);
    const rows = await db.incidents.orderBy('id').toArray();
    expect(verifyChain(rows)).toBe(true);
    rows[0]!.severity = 'low';
    expect(verifyChain(rows)).toBe(false);
  });
});

describe('newCriticalIncidents', () => {
  it('picks new critical incidents, never repeats or lesser ones', async () => {
    const recorder = createRecorder(freshDb(), { browser: 'chrome' });
    const first = await recorder.record([finding({ severity: 'critical', dedupeParts: ['a'] }), finding({ severity: 'high', dedupeParts: ['b'] })]);
    expect(newCriticalIncidents(first).map((i) => i.dedupeKey)).toEqual(['script.new-origin|mail.example.org|a']);
    const again = await recorder.record([finding({ severity: 'critical', dedupeParts: ['a'] })]);
    expect(newCriticalIncidents(again)).toEqual([]);
  });
});

describe('recorder batching', () => {
  it('gives each concurrent caller its own results, in order, from shared transactions', async () => {
    const recorder = createRecorder(freshDb(), { browser: 'chrome' });
    const calls = Array.from({ length: 30 }, (_, i) =>
      recorder.record([finding({ dedupeParts: [`o${i}`] }), finding({ dedupeParts: [`o${i % 3}`] })]),
    );
    const results = await Promise.all(calls);
    results.forEach((recorded, i) => {
      expect(recorded).toHaveLength(2);
      expect(recorded[0]!.status === 'new' ? recorded[0]!.incident.dedupeKey : recorded[0]!.dedupeKey).toBe(`script.new-origin|mail.example.org|o${i}`);
    });
    const rows = await db.incidents.orderBy('id').toArray();
    expect(rows).toHaveLength(30);
    expect(verifyChain(rows)).toBe(true);
  });
});
