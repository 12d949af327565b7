import Dexie, { type EntityTable } from 'dexie';
import type { Incident } from './types';
import type { Baseline } from './baseline';

/** Repeats of one dedupe key: counted here so the incident chain is never rewritten. */
export interface Occurrence {
  dedupeKey: string;
  incidentId: number;
  host: string;
  count: number;
  firstTs: number;
  lastTs: number;
}

export type TapguardDb = Dexie & {
  incidents: EntityTable<Incident, 'id'>;
  occurrences: EntityTable<Occurrence, 'dedupeKey'>;
  baselines: EntityTable<Baseline, 'host'>;
};

export const DB_NAME = 'tapguard';

/**
 * Every schema change is a new `version(n)` below the old ones, with an upgrade function when
 * rows must change: Dexie migrates in place, and the incident log is never dropped.
 */
export function openDb(name = DB_NAME): TapguardDb {
  const db = new Dexie(name) as TapguardDb;
  db.version(1).stores({
    incidents: '++id, ts, host, rule, kind, severity, dedupeKey, [host+ts]',
    occurrences: 'dedupeKey, incidentId, host, lastTs',
    baselines: 'host, lastSeen',
  });
  // The log page filters by kind or rule within a time range, newest first.
  db.version(2).stores({
    incidents: '++id, ts, host, rule, kind, severity, dedupeKey, [host+ts], [kind+ts], [rule+ts]',
  });
  return db;
}
