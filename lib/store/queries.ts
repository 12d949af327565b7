import Dexie from 'dexie';
import { countIncidentRows, setIncidentTally, type TapguardDb } from './db';
import type { Incident } from '../core/types';

/** Newest first, through the [host+ts] index: the popup never loads the whole table. */
export function incidentsForHost(db: TapguardDb, host: string, limit = 50): Promise<Incident[]> {
  // Log markers (lib/store/log.ts) are the only records without a host.
  if (!host) return Promise.resolve([]);
  return db.incidents
    .where('[host+ts]')
    .between([host, Dexie.minKey], [host, Dexie.maxKey])
    .reverse()
    // Events (lib/core/events.ts) retell these incidents; the popup draws them from the incidents.
    .filter((row) => (row.kind as string) !== 'event')
    .limit(limit)
    .toArray();
}

/**
 * Incidents only: log markers (lib/store/log.ts, `kind: 'meta'`) are chain records, not incidents.
 * Read from the running total (lib/store/db.ts), one key lookup however long the log is.
 */
export async function countIncidents(db: TapguardDb): Promise<number> {
  return (await db.tallies.get('incidents'))?.count ?? 0;
}

/**
 * Counts the records again and resets the running total: for code that writes rows without the
 * recorder (benchmarks seeding a log).
 */
export function recountIncidents(db: TapguardDb): Promise<number> {
  return db.transaction('rw', db.incidents, db.tallies, async () => {
    const count = await countIncidentRows(db.incidents);
    await setIncidentTally(db, count);
    return count;
  });
}

/** The incidents behind a tab's dedupe keys, newest first, with how often each was seen. */
export async function incidentsForKeys(db: TapguardDb, keys: readonly string[]): Promise<Array<Incident & { repeats: number }>> {
  const occurrences = (await db.occurrences.bulkGet([...keys])).filter((o) => o !== undefined);
  const incidents = await db.incidents.bulkGet(occurrences.map((o) => o.incidentId));
  return incidents
    .map((incident, i) => (incident ? { ...incident, repeats: occurrences[i]!.count } : undefined))
    .filter((i) => i !== undefined)
    .sort((a, b) => b.ts - a.ts);
}
