import Dexie from 'dexie';
import type { TapguardDb } from './db';
import type { Incident } from './types';

/** Newest first, through the [host+ts] index: the popup never loads the whole table. */
export function incidentsForHost(db: TapguardDb, host: string, limit = 50): Promise<Incident[]> {
  return db.incidents
    .where('[host+ts]')
    .between([host, Dexie.minKey], [host, Dexie.maxKey])
    .reverse()
    .limit(limit)
    .toArray();
}

export function countIncidents(db: TapguardDb): Promise<number> {
  return db.incidents.count();
}
