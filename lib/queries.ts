import Dexie from 'dexie';
import type { TapguardDb } from './db';
import type { Incident } from './types';

/** Newest first, through the [host+ts] index: the popup never loads the whole table. */
export function incidentsForHost(db: TapguardDb, host: string, limit = 50): Promise<Incident[]> {
  // Log markers (lib/log.ts) are the only records without a host.
  if (!host) return Promise.resolve([]);
  return db.incidents
    .where('[host+ts]')
    .between([host, Dexie.minKey], [host, Dexie.maxKey])
    .reverse()
    .limit(limit)
    .toArray();
}

/** Incidents only: log markers (lib/log.ts, `kind: 'meta'`) are chain records, not incidents. */
/**
 * All records less the log markers. Two counts, not one filtered count: IndexedDB counts a whole
 * store or one key range natively, but `noneOf` makes Dexie walk every key (2 s at 100,000).
 */
export async function countIncidents(db: TapguardDb): Promise<number> {
  const [all, markers] = await Promise.all([db.incidents.count(), db.incidents.where('kind').equals('meta').count()]);
  return all - markers;
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
