import type { TapguardDb } from './db';
import { describeEvent } from '../core/event-text';
import { groupIntoEvents, type EventGroup, type EventRecord } from '../core/events';
import { GENESIS_HASH, hashIncident } from './incidents';
import { chainTable } from './log';
import { incidentsForKeys } from './queries';
import type { Evidence } from '../core/types';

/** Findings an event record names at most; the rest are counted. */
export const MAX_NAMED_FINDINGS = 50;

export type RecordedEvent = { status: 'new'; event: EventRecord } | { status: 'repeat'; key: string; count: number; eventId: number };

/**
 * The chain record of an event. Its evidence names its findings by dedupe key and id, so an
 * exported log shows which records tell the same story without the extension at hand.
 */
export function toEventRecord(group: EventGroup, ts: number, browser: string, prevHash: string): EventRecord {
  const { headline, advice } = describeEvent(group);
  const worst = group.signs[0]!;
  // A page can show hundreds of findings of one cause (mixed content): the worst are named.
  const named = group.signs.slice(0, MAX_NAMED_FINDINGS);
  const unchained = {
    ts,
    kind: 'event' as const,
    rule: `event.${group.cause}` as const,
    severity: group.severity,
    host: group.host,
    url: worst.url,
    browser,
    title: headline,
    advice,
    evidence: {
      cause: group.cause,
      subject: { ...group.subject } as Evidence,
      findings: named.map((s) => s.dedupeKey),
      findingIds: named.map((s) => s.id ?? null),
      rules: [...new Set(group.signs.map((s) => s.rule))],
      ...(group.signs.length > named.length ? { moreFindings: group.signs.length - named.length } : {}),
    },
    dedupeKey: group.key,
    prevHash,
  };
  return { ...unchained, hash: hashIncident(unchained) };
}

/**
 * Appends one event record per group, or, when an event with the group's key is already in the
 * log, counts a repeat against it (in `occurrences`, like a repeated finding): the same cause on a
 * later page load folds into its event instead of starting another. One read-write transaction,
 * which reads the chain head and appends after it, so it interleaves safely with the recorder's.
 */
export function recordEvents(db: TapguardDb, groups: readonly EventGroup[], options: { browser: string; now?: () => number }): Promise<RecordedEvent[]> {
  const now = options.now ?? Date.now;
  const table = chainTable(db);
  return db.transaction('rw', table, db.occurrences, async () => {
    const results: RecordedEvent[] = [];
    let head = (await table.orderBy(':id').last())?.hash ?? GENESIS_HASH;
    for (const group of groups) {
      const ts = now();
      const seen = await db.occurrences.get(group.key);
      if (seen) {
        await db.occurrences.update(group.key, { count: seen.count + 1, lastTs: ts });
        results.push({ status: 'repeat', key: group.key, count: seen.count + 1, eventId: seen.incidentId });
        continue;
      }
      const event = toEventRecord(group, ts, options.browser, head);
      const id = await table.add(event);
      await db.occurrences.add({ dedupeKey: group.key, incidentId: id, host: group.host, count: 1, firstTs: ts, lastTs: ts });
      head = event.hash;
      results.push({ status: 'new', event: { ...event, id } });
    }
    return results;
  });
}

/**
 * The events of one page load that are not yet recorded for it: groups the page's findings (by
 * their dedupe keys, as the tab state holds them) and records the groups whose keys are not in
 * `recordedKeys`. Returns the keys it recorded, for the tab state to remember until the next
 * navigation, so each event is written (or counted as a repeat) once per page load.
 */
export async function recordPageEvents(
  db: TapguardDb,
  findingKeys: readonly string[],
  recordedKeys: readonly string[],
  options: { browser: string; now?: () => number },
): Promise<string[]> {
  if (findingKeys.length === 0) return [];
  const groups = groupIntoEvents(await incidentsForKeys(db, findingKeys)).filter((g) => !recordedKeys.includes(g.key));
  if (groups.length === 0) return [];
  await recordEvents(db, groups, options);
  return groups.map((g) => g.key);
}
