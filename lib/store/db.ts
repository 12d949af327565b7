import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Incident } from '../core/types';
import type { Baseline } from '../core/baseline';


/** The organisation collector's queue rows (lib/background/collector/queue.ts): the schema lives with its owner, the store. */
export interface OutboxRow {
  seq?: number;
  incident: Incident;
}

export interface CollectorState {
  name: 'collector';
  /** Highest log id considered for the queue. */
  fedUpTo: number;
  /** Incidents the bounded queue dropped, since the collector was configured. */
  dropped: number;
  /** Failed deliveries in a row; drives the backoff. */
  failures: number;
  /** No delivery before this time (ms). */
  nextAttemptAt: number;
  lastDelivery?: { ts: number; count: number };
  lastError?: { ts: number; message: string };
  /** Since when no policy has been seen (see noteNoPolicy). */
  suspendedSince?: number;
  /** Largest batch to send while narrowing down a record the engine refuses (see afterRefusal). */
  batchLimit?: number;
  /** Outbox seq of a record the engine refused on its own, held back while the next one is tried. */
  suspect?: number;
  /** Records the engine refused on their own while taking the next, left out of the queue (they stay in the log). */
  refused?: number;
  lastRefused?: { ts: number; hash: string; error: string };
}

/** Repeats of one dedupe key: counted here so the incident chain is never rewritten. */
export interface Occurrence {
  dedupeKey: string;
  incidentId: number;
  host: string;
  count: number;
  firstTs: number;
  lastTs: number;
}

/**
 * A running count, kept in the same transaction as the rows it counts; also small persisted
 * numbers that must outlive a worker (`emergencyTrimAt`: time of the last emergency trim,
 * lib/store/retention.ts), stored here so they need no schema change.
 */
export interface Tally {
  name: 'incidents' | 'emergencyTrimAt';
  count: number;
}

export type TapguardDb = Dexie & {
  incidents: EntityTable<Incident, 'id'>;
  occurrences: EntityTable<Occurrence, 'dedupeKey'>;
  baselines: EntityTable<Baseline, 'host'>;
  tallies: EntityTable<Tally, 'name'>;
  outbox: EntityTable<OutboxRow, 'seq'>;
  collectorState: EntityTable<CollectorState, 'name'>;
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
  // IndexedDB's count() walks the store (about 100 ms at 100,000 records in Chrome), too slow for
  // a popup that must open at once; the recorder, retention and clearing keep this total instead.
  db.version(3)
    .stores({ tallies: 'name' })
    .upgrade(async (tx) => {
      await tx.table('tallies').put({ name: 'incidents', count: await countIncidentRows(tx.table('incidents')) });
    });
  // The organisation collector's queue (lib/background/collector/queue.ts): copies of incidents waiting to be
  // sent, and where in the log the queue has been fed up to. Empty unless a policy sets a collector.
  db.version(4).stores({ outbox: '++seq', collectorState: 'name' });
  return db;
}

/**
 * Records in the chain table less the log markers and events (lib/core/events.ts: they retell
 * findings, they are not incidents of their own), counted afresh: what the running total stands
 * for. Native counts, not one filtered count: `noneOf` would make Dexie walk every key.
 */
export async function countIncidentRows(incidents: Table): Promise<number> {
  const [all, others] = await Promise.all([incidents.count(), incidents.where('kind').anyOf(NOT_INCIDENT_KINDS).count()]);
  return all - others;
}

/** Kinds of chain records that are not incidents: log markers and events. */
export const NOT_INCIDENT_KINDS = ['meta', 'event'];

/**
 * Moves the incident total by `delta`. Call it inside the read-write transaction (including
 * `db.tallies`) that adds or deletes the rows, so the total and the rows commit together. A
 * database created at version 3 or later starts with no row: it was empty then.
 */
export async function adjustIncidentTally(db: TapguardDb, delta: number): Promise<void> {
  if (delta === 0) return;
  const current = (await db.tallies.get('incidents'))?.count ?? 0;
  await db.tallies.put({ name: 'incidents', count: Math.max(0, current + delta) });
}

export function setIncidentTally(db: TapguardDb, count: number): Promise<unknown> {
  return db.tallies.put({ name: 'incidents', count });
}
