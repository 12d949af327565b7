import { adjustIncidentTally, NOT_INCIDENT_KINDS, setIncidentTally, type TapguardDb } from './db';
import { GENESIS_HASH } from './incidents';
import { logMarker, MARKER_KIND } from './log';
import type { Severity } from '../core/types';

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
 * Severities that may be deleted to make room (count limit, host quota, full storage). High and
 * critical incidents are the evidence a user needs; they go only by age (`retentionDays`), so a
 * flood of low findings can never push them out. Log markers (kind meta, severity info) are never
 * deleted to make room either.
 */
export const EXPENDABLE_SEVERITIES: readonly Severity[] = ['info', 'low', 'medium'];

/**
 * A host's share of `maxIncidents`: when the log needs room, hosts above it give up their low and
 * medium records first, so a page that floods one host cannot push out another host's records.
 */
export const HOST_SHARE = 0.25;

export function hostQuota(maxIncidents: number): number {
  return Math.max(1, Math.floor(maxIncidents * HOST_SHARE));
}

/** What retention would delete: a prefix of the chain (age) and single expendable records (room). */
interface RetentionPlan {
  /** Records before `firstKeptId` (by id) are older than `retentionDays`: a prefix. */
  prefix: number;
  firstKeptId?: number;
  /** Expendable records of hosts over their quota, oldest first, by host: the first to make room. */
  hostQuota: number[];
  /** Expendable records over the count limit, oldest first. */
  countLimit: number[];
}

/**
 * Keeps the log within its limits.
 * - Age: deletes the prefix of the chain (by id) older than `retentionDays`, every severity. A
 *   record is old only while every record before it is old too, so a clock that once jumped back
 *   cannot cut a hole by age.
 * - Room: a log over `maxIncidents` loses info, low and medium records, never high or critical
 *   ones (so the log may stay above `maxIncidents` while it holds that many of them): first the
 *   oldest of hosts over their quota (HOST_SHARE of the log), then the oldest of all. These deletions leave holes in the chain; one `meta.records-removed`
 *   marker appended to the chain says how many went and why, and an export declares each hole
 *   (lib/store/export.ts `tapguardRemoved` lines), so the rest still verifies and the verifier says
 *   where records are missing.
 * Repeat counts of deleted incidents go with them, so a later repeat starts a new incident.
 */
export function applyRetention(db: TapguardDb, limits: RetentionLimits, now: number, options: { browser?: string } = {}): Promise<RetentionResult> {
  return db.transaction('rw', db.incidents, db.occurrences, db.tallies, async () => {
    const plan = await planRetention(db, limits, now);
    const head = await db.incidents.orderBy(':id').last();
    let result: RetentionResult = { deleted: 0, ...idOf(await db.incidents.orderBy(':id').first()) };
    if (plan.prefix > 0) result = await deletePrefix(db, plan.prefix);
    const forRoom = [...plan.hostQuota, ...plan.countLimit];
    if (forRoom.length === 0) return result;
    await deleteRecords(db, forRoom);
    await appendRemovalMarker(db, head?.hash ?? GENESIS_HASH, forRoom, {
      ts: now,
      browser: options.browser ?? '',
      reasons: { hostQuota: plan.hostQuota.length, countLimit: plan.countLimit.length },
    });
    return { deleted: result.deleted + forRoom.length, ...idOf(await db.incidents.orderBy(':id').first()) };
  });
}

/** How many records applyRetention would delete now: the options page asks before it does. */
export function countBeyondRetention(db: TapguardDb, limits: RetentionLimits, now: number): Promise<number> {
  return db.transaction('r', db.incidents, async () => {
    const plan = await planRetention(db, limits, now);
    return plan.prefix + plan.hostQuota.length + plan.countLimit.length;
  });
}

async function planRetention(db: TapguardDb, limits: RetentionLimits, now: number): Promise<RetentionPlan> {
  const rows = await db.incidents.count();
  if (rows === 0) return { prefix: 0, hostQuota: [], countLimit: [] };
  const cutoff = now - limits.retentionDays * DAY;
  let prefix = 0;
  await db.incidents
    .orderBy(':id')
    .until((row) => row.ts >= cutoff)
    .each(() => void prefix++);
  const firstKeptId = (await db.incidents.orderBy(':id').offset(prefix).first())?.id;
  const plan: RetentionPlan = { prefix, ...(firstKeptId === undefined ? {} : { firstKeptId }), hostQuota: [], countLimit: [] };
  if (firstKeptId === undefined || rows - prefix <= limits.maxIncidents) return plan;

  const markers = new Set((await db.incidents.where('kind').equals(MARKER_KIND).primaryKeys()) as number[]);
  let excess = rows - prefix - [...markers].filter((id) => id >= firstKeptId).length - limits.maxIncidents;
  if (excess <= 0) return plan;
  const kept = (id: number) => id >= firstKeptId && !markers.has(id);
  const expendable = new Set(((await db.incidents.where('severity').anyOf(EXPENDABLE_SEVERITIES).primaryKeys()) as number[]).filter(kept));
  // Who pays for room: first the hosts over their quota, so one host's flood cannot push out
  // what other hosts left; then the oldest of everyone.
  const quota = hostQuota(limits.maxIncidents);
  const doomed = new Set<number>();
  for (const host of (await db.incidents.orderBy('host').uniqueKeys()) as string[]) {
    if (!host || excess <= 0) continue;
    const ids = ((await db.incidents.where('host').equals(host).primaryKeys()) as number[]).filter(kept);
    if (ids.length <= quota) continue;
    // Index entries of one host come in primary-key order: the oldest first.
    const over = ids.filter((id) => expendable.has(id)).slice(0, Math.min(ids.length - quota, excess));
    for (const id of over) doomed.add(id);
    plan.hostQuota.push(...over);
    excess -= over.length;
  }
  if (excess > 0) plan.countLimit = [...expendable].filter((id) => !doomed.has(id)).sort((a, b) => a - b).slice(0, excess);
  return plan;
}

const idOf = (row: { id?: number } | undefined) => (row?.id === undefined ? {} : { firstKeptId: row.id });

/** Deletes single records (never markers) and their repeat counts. */
async function deleteRecords(db: TapguardDb, ids: readonly number[]): Promise<void> {
  await db.incidents.bulkDelete([...ids]);
  await db.occurrences.where('incidentId').anyOf([...ids]).delete();
  await adjustIncidentTally(db, -ids.length);
}

/**
 * The chain's own note that records were removed to make room: appended after the head as it was
 * before the deletion (which may itself be gone: the export then declares a hole before the
 * marker, as anywhere else).
 */
async function appendRemovalMarker(
  db: TapguardDb,
  prevHash: string,
  removed: readonly number[],
  context: { ts: number; browser: string; reasons: Record<string, number> },
): Promise<void> {
  const sorted = [...removed].sort((a, b) => a - b);
  const marker = logMarker('meta.records-removed', {
    ts: context.ts,
    browser: context.browser,
    title: 'Low and medium records were removed to make room',
    advice: `${removed.length} info, low or medium ${removed.length === 1 ? 'record was' : 'records were'} deleted to keep the log within its limits. High and critical incidents are only ever deleted by age. Exports mark where records are missing.`,
    evidence: { removedRecords: removed.length, ...context.reasons, firstRemovedId: sorted[0] ?? null, lastRemovedId: sorted.at(-1) ?? null },
    prevHash,
  });
  await db.table('incidents').add(marker);
}

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

/** The emergency trim runs at most this often, across worker restarts (the time is stored). */
export const EMERGENCY_TRIM_INTERVAL_MS = 10 * 60 * 1000;

export interface EmergencyTrim extends RetentionResult {
  /** True when the last trim was too recent (the stored time), so nothing was deleted. */
  rateLimited: boolean;
}

/**
 * When storage is full and retention freed nothing: deletes a tenth of the log, its oldest info,
 * low and medium records first. Only if there are none, and only to make room for a high or
 * critical finding (`forSevere`), does it delete the oldest tenth whatever its severity (a
 * prefix). At most once per EMERGENCY_TRIM_INTERVAL_MS; the time of the last trim is stored in
 * the same transaction, so a worker restart does not reset the limit, and a disk that stays full
 * (filled by something else) cannot eat the whole log within minutes of a flood.
 */
export function emergencyTrim(db: TapguardDb, options: { now: number; forSevere: boolean; browser?: string }): Promise<EmergencyTrim> {
  return db.transaction('rw', db.incidents, db.occurrences, db.tallies, async () => {
    const last = (await db.tallies.get('emergencyTrimAt'))?.count;
    // A clock set back since the last trim does not lock trimming out until it catches up.
    if (last !== undefined && options.now >= last && options.now - last < EMERGENCY_TRIM_INTERVAL_MS) return { deleted: 0, rateLimited: true };
    const tenth = Math.max(1, Math.ceil((await db.incidents.count()) / 10));
    const markers = new Set((await db.incidents.where('kind').equals(MARKER_KIND).primaryKeys()) as number[]);
    const expendable = ((await db.incidents.where('severity').anyOf(EXPENDABLE_SEVERITIES).primaryKeys()) as number[])
      .filter((id) => !markers.has(id))
      .sort((a, b) => a - b)
      .slice(0, tenth);
    let result: RetentionResult = { deleted: 0 };
    if (expendable.length) {
      const head = await db.incidents.orderBy(':id').last();
      await deleteRecords(db, expendable);
      await appendRemovalMarker(db, head?.hash ?? GENESIS_HASH, expendable, {
        ts: options.now,
        browser: options.browser ?? '',
        reasons: { storageFull: expendable.length },
      });
      result = { deleted: expendable.length };
    } else if (options.forSevere) {
      result = await deletePrefix(db, tenth);
    }
    await db.tallies.put({ name: 'emergencyTrimAt', count: options.now });
    return { ...result, rateLimited: false };
  });
}
