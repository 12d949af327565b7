import { adjustIncidentTally, NOT_INCIDENT_KINDS, setIncidentTally, type TapguardDb } from './db';

/** The two limits of settings.ts that bound the log. */
export interface RetentionLimits {
  retentionDays: number;
  maxIncidents: number;
}

export interface RetentionResult {
  deleted: number;
  /** Id of the oldest record kept, or undefined when the log is now empty. */
  firstKeptId?: number;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Keeps the log within its limits by deleting its oldest records, and only ever a prefix of the
 * chain (by id): whatever remains still verifies, its first record simply does not start at
 * genesis. A record is old by age only while every record before it is old too, so a clock that
 * once jumped back cannot make retention cut a hole in the middle of the chain. Repeat counts of
 * deleted incidents go with them, so a later repeat starts a new incident instead of counting
 * against one that no longer exists.
 */
export function applyRetention(db: TapguardDb, limits: RetentionLimits, now: number): Promise<RetentionResult> {
  return db.transaction('rw', db.incidents, db.occurrences, db.tallies, async () => {
    const prefix = await beyondRetention(db, limits, now);
    if (prefix === 0) return { deleted: 0, ...idOf(await db.incidents.orderBy(':id').first()) };
    return deletePrefix(db, prefix);
  });
}

/** How many records applyRetention would delete now: the options page asks before it does. */
export function countBeyondRetention(db: TapguardDb, limits: RetentionLimits, now: number): Promise<number> {
  return db.transaction('r', db.incidents, () => beyondRetention(db, limits, now));
}

async function beyondRetention(db: TapguardDb, limits: RetentionLimits, now: number): Promise<number> {
  const total = await db.incidents.count();
  if (total === 0) return 0;
  const cutoff = now - limits.retentionDays * DAY;
  // Records (by id) before the first young enough one: the stale prefix.
  let stale = 0;
  await db.incidents
    .orderBy(':id')
    .until((row) => row.ts >= cutoff)
    .each(() => void stale++);
  return Math.max(stale, total - limits.maxIncidents);
}

const idOf = (row: { id?: number } | undefined) => (row?.id === undefined ? {} : { firstKeptId: row.id });

/**
 * Deletes the `count` oldest records (by id) and their repeat counts. For emergencies (the
 * storage quota is full): newer evidence matters more than older evidence.
 */
export function pruneOldest(db: TapguardDb, count: number): Promise<RetentionResult> {
  return db.transaction('rw', db.incidents, db.occurrences, db.tallies, () => deletePrefix(db, count));
}

async function deletePrefix(db: TapguardDb, count: number): Promise<RetentionResult> {
  const firstKept = (await db.incidents.orderBy(':id').offset(count).first())?.id;
  const doomed = firstKept === undefined ? db.incidents.toCollection() : db.incidents.where(':id').below(firstKept);
  // Markers and events (not counted in the incident total) among the doomed, by the kind index.
  const markersDoomed =
    firstKept === undefined ? 0 : await db.incidents.where('kind').anyOf(NOT_INCIDENT_KINDS).filter((row) => (row.id ?? 0) < firstKept).count();
  const deleted = await doomed.delete();
  if (firstKept === undefined) {
    await db.occurrences.clear();
    await setIncidentTally(db, 0);
  } else {
    await db.occurrences.where('incidentId').below(firstKept).delete();
    await adjustIncidentTally(db, -(deleted - markersDoomed));
  }
  return { deleted, ...(firstKept === undefined ? {} : { firstKeptId: firstKept }) };
}
