import type { Recorded, Recorder } from '../store/incidents';
import type { Finding } from '../core/types';

/**
 * New incidents are limited per source (the tab, the frame and the origin that caused them), so a
 * page that floods cannot fill the log and push real evidence out through count retention. When a
 * source reaches the limit, one aggregated incident says so, and the source's further
 * observations are not judged until its window ends. Counts live in storage.session (they belong
 * to tabs, which end with the browser session) so a restarted MV3 worker does not start over.
 */
export interface SourceRef {
  tabId: number;
  frameId: number;
  /** The origin of the document (or request) that caused the observation. */
  origin: string;
}

export interface SourceCount {
  windowStart: number;
  count: number;
  aggregated: boolean;
}

// Far above what one attacked page shows (a hostile page streaming 30 scripts gives 60), far below
// what would push real evidence out of a log of 100,000.
export const SOURCE_LIMIT = 100;
export const SOURCE_WINDOW_MS = 10 * 60_000;

const tabPrefix = (tabId: number) => `limit:${tabId}|`;
export const sourceKey = (source: SourceRef) => `${tabPrefix(source.tabId)}${source.frameId}|${source.origin}`;

/** The count for a window that is still running; a fresh one otherwise. */
export function currentCount(stored: SourceCount | undefined, now: number): SourceCount {
  return stored && now - stored.windowStart < SOURCE_WINDOW_MS && now >= stored.windowStart ? stored : { windowStart: now, count: 0, aggregated: false };
}

export function isOverLimit(count: SourceCount): boolean {
  return count.count >= SOURCE_LIMIT;
}

/** Adds `added` new incidents; `aggregate` is true exactly once per window, when the limit is reached. */
export function countNew(count: SourceCount, added: number): { count: SourceCount; aggregate: boolean } {
  const next = { ...count, count: count.count + added };
  if (!isOverLimit(next) || next.aggregated) return { count: next, aggregate: false };
  return { count: { ...next, aggregated: true }, aggregate: true };
}

/**
 * The aggregated incident: of the site the flood was about, naming the source. It reuses the rule
 * of the observation that reached the limit (the rule ids are fixed by the design) and says in its
 * evidence that it stands for everything else this source caused in its window.
 */
export function aggregatedFinding(source: SourceRef, last: Pick<Finding, 'rule' | 'host' | 'url'>, windowStart: number): Finding {
  return {
    rule: last.rule,
    severity: 'medium',
    host: last.host,
    url: source.origin || last.url,
    evidence: {
      aggregated: true,
      source: source.origin,
      frame: source.frameId === 0 ? 'top' : 'frame',
      limit: SOURCE_LIMIT,
      windowMinutes: SOURCE_WINDOW_MS / 60_000,
      note: `${source.origin || 'one page'} caused ${SOURCE_LIMIT} new incidents within ${SOURCE_WINDOW_MS / 60_000} minutes; until that window ends its further observations are not recorded.`,
    },
    dedupeParts: ['aggregated', source.origin, String(windowStart)],
  };
}

/**
 * Runs one observation under its source's limit: not at all while the source is over it, and
 * with the aggregated incident appended to its outcome when this observation reached it.
 */
export async function limitBySource<T extends { recorded: Recorded[] }>(
  limiter: SourceLimiter,
  recorder: Recorder,
  source: SourceRef,
  observe: () => Promise<T>,
): Promise<T | { recorded: Recorded[]; site?: undefined }> {
  if (!(await limiter.allows(source))) return { recorded: [] };
  const outcome = await observe();
  const added = outcome.recorded.flatMap((r) => (r.status === 'new' ? [r.incident] : []));
  const aggregate = await limiter.counted(source, added);
  if (aggregate) outcome.recorded.push(...(await recorder.record([aggregate])));
  return outcome;
}

export interface SessionStorageLike {
  get(key: string | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

function asCount(value: unknown): SourceCount | undefined {
  const v = value as Partial<SourceCount> | undefined;
  return v && typeof v.windowStart === 'number' && typeof v.count === 'number' && typeof v.aggregated === 'boolean' ? (v as SourceCount) : undefined;
}

/** Counts per source, serialised so that concurrent outcomes of one source never lose a count. */
// Not named `storage`: WXT's auto-import would take a free-looking `storage` for its own storage
// utility and bundle it (with its lock library) into the background, unused.
export function createSourceLimiter(counts: SessionStorageLike, now: () => number) {
  let queue: Promise<unknown> = Promise.resolve();
  const serialise = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  const read = async (source: SourceRef) => currentCount(asCount((await counts.get(sourceKey(source)))[sourceKey(source)]), now());
  return {
    /** False while the source is over its limit: the observation is then not judged at all. */
    async allows(source: SourceRef): Promise<boolean> {
      return !isOverLimit(await read(source));
    },
    /** Counts the new incidents of one outcome; returns the aggregated finding when one is due. */
    counted(source: SourceRef, newFindings: readonly Pick<Finding, 'rule' | 'host' | 'url'>[]): Promise<Finding | undefined> {
      if (newFindings.length === 0) return Promise.resolve(undefined);
      return serialise(async () => {
        const { count, aggregate } = countNew(await read(source), newFindings.length);
        await counts.set({ [sourceKey(source)]: count });
        return aggregate ? aggregatedFinding(source, newFindings[newFindings.length - 1]!, count.windowStart) : undefined;
      });
    },
    /** A closed tab's counts go with it. */
    forgetTab(tabId: number): Promise<void> {
      return serialise(async () => {
        const keys = Object.keys(await counts.get(null)).filter((key) => key.startsWith(tabPrefix(tabId)));
        if (keys.length) await counts.remove(keys);
      });
    },
  };
}

export type SourceLimiter = ReturnType<typeof createSourceLimiter>;
