import type { Table } from 'dexie';
import { setIncidentTally, type TapguardDb } from './db';
import { GENESIS_HASH, hashIncident } from './incidents';
import type { ChainRecord, LogMarker } from './chain';

// The record types live in lib/store/chain.ts, which needs no database (the log page loads it without Dexie).
export { MARKER_KIND, isLogMarker, type ChainRecord, type LogMarker } from './chain';

/** The incidents table as it really is: incidents and the occasional log marker. */
export function chainTable(db: TapguardDb): Table<ChainRecord, number> {
  return db.table<ChainRecord, number>('incidents');
}

export interface ClearResult {
  cleared: number;
  marker: LogMarker;
}

/**
 * Deletes every incident and repeat count and starts the chain again with one marker that says
 * so. The marker's prevHash is the hash of the last deleted record, so an export taken before the
 * clearing and one taken after still join up; the verifier accepts a first record that does not
 * start at genesis. Baselines (what tapguard learned about each host) are kept.
 */
export function clearLog(db: TapguardDb, options: { browser: string; now?: number }): Promise<ClearResult> {
  const table = chainTable(db);
  return db.transaction('rw', table, db.occurrences, db.tallies, async () => {
    const last = await table.orderBy(':id').last();
    const cleared = await table.count();
    await table.clear();
    await db.occurrences.clear();
    await setIncidentTally(db, 0);
    const marker = logMarker('meta.log-cleared', {
      ts: options.now ?? Date.now(),
      browser: options.browser,
      title: 'The incident log was cleared',
      advice: `${cleared} earlier ${cleared === 1 ? 'record was' : 'records were'} deleted by the user. Exports taken before this point end with the hash this record starts from.`,
      evidence: { clearedRecords: cleared, previousHead: last?.hash ?? null, previousLastId: last?.id ?? null },
      prevHash: last?.hash ?? GENESIS_HASH,
    });
    const id = await table.add(marker);
    return { cleared, marker: { ...marker, id } };
  });
}

/** A marker with its hash, ready to append after the record whose hash is `prevHash`. */
export function logMarker(
  rule: LogMarker['rule'],
  fields: Pick<LogMarker, 'ts' | 'browser' | 'title' | 'advice' | 'evidence' | 'prevHash'>,
): LogMarker {
  const unchained = {
    ts: fields.ts,
    kind: 'meta' as const,
    rule,
    severity: 'info' as const,
    host: '' as const,
    url: '' as const,
    browser: fields.browser,
    title: fields.title,
    advice: fields.advice,
    evidence: fields.evidence,
    dedupeKey: `${rule}|${fields.ts}`,
    prevHash: fields.prevHash,
  };
  return { ...unchained, hash: hashIncident(unchained) };
}
