import type { Collection } from 'dexie';
import type { Occurrence, TapguardDb } from './db';
import type { EVENT_KIND } from '../core/events';
import { chainTable, type ChainRecord } from './log';
import { KINDS, SEVERITIES, severityRank, type Kind, type RuleId, type Severity } from '../core/types';

/** What the log page can ask for. Every part is optional; all given parts must match. */
export interface LogFilter {
  host?: string;
  /** A finding's kind, or events (lib/core/events.ts). */
  kind?: Kind | typeof EVENT_KIND;
  rule?: RuleId;
  /** This severity or worse. */
  minSeverity?: Severity;
  /** Inclusive time range, ms. */
  from?: number;
  to?: number;
  /** Case-insensitive text in the title, host or rule. */
  text?: string;
}

export interface LogPage {
  rows: ChainRecord[];
  /** Records matching the filter in all. */
  total: number;
}

type Plan = { collection: Collection<ChainRecord, number>; residual?: (r: ChainRecord) => boolean };

function matcher(filter: LogFilter, covered: ReadonlySet<keyof LogFilter>): ((r: ChainRecord) => boolean) | undefined {
  const checks: Array<(r: ChainRecord) => boolean> = [];
  const { host, kind, rule, minSeverity } = filter;
  const text = filter.text?.trim().toLowerCase();
  if (host && !covered.has('host')) checks.push((r) => r.host === host);
  if (kind && !covered.has('kind')) checks.push((r) => r.kind === kind);
  if (rule && !covered.has('rule')) checks.push((r) => r.rule === rule);
  if (minSeverity && minSeverity !== SEVERITIES[0]) {
    const min = severityRank(minSeverity);
    checks.push((r) => severityRank(r.severity) >= min);
  }
  if (text) checks.push((r) => r.title.toLowerCase().includes(text) || r.host.includes(text) || r.rule.includes(text));
  if (checks.length === 0) return undefined;
  return (r) => checks.every((check) => check(r));
}

/**
 * Picks the narrowest index for the filter, all of them ordered by time: [host+ts], [rule+ts],
 * [kind+ts], else ts. What the index does not cover is checked row by row.
 */
function plan(db: TapguardDb, filter: LogFilter): Plan {
  const table = chainTable(db);
  const from = filter.from ?? -Infinity;
  const to = filter.to ?? Infinity;
  const compound = (field: 'host' | 'rule' | 'kind', value: string): Plan => {
    const collection = table.where(`[${field}+ts]`).between([value, from], [value, to], true, true);
    const residual = matcher(filter, new Set([field]));
    return residual ? { collection, residual } : { collection };
  };
  if (filter.host) return compound('host', filter.host);
  if (filter.rule) return compound('rule', filter.rule);
  if (filter.kind) return compound('kind', filter.kind);
  const collection = table.where('ts').between(from, to, true, true);
  const residual = matcher(filter, new Set());
  return residual ? { collection, residual } : { collection };
}

/** One page of the log, newest first. */
export async function queryLog(db: TapguardDb, filter: LogFilter, page: { offset: number; limit: number }): Promise<LogPage> {
  const counted = plan(db, filter);
  const total = await (counted.residual ? counted.collection.filter(counted.residual) : counted.collection).count();
  const listed = plan(db, filter);
  const ordered = listed.collection.reverse();
  const rows = await (listed.residual ? ordered.filter(listed.residual) : ordered).offset(page.offset).limit(page.limit).toArray();
  return { rows, total };
}

/** Hosts, rules and kinds that occur in the log, for the filter menus. */
export async function logFacets(db: TapguardDb): Promise<{ hosts: string[]; rules: string[] }> {
  const table = chainTable(db);
  const [hosts, rules] = await Promise.all([table.orderBy('host').uniqueKeys(), table.orderBy('rule').uniqueKeys()]);
  return {
    hosts: hosts.map(String).filter((h) => h !== ''),
    rules: rules.map(String).filter((r) => !r.startsWith('meta.')),
  };
}

export function occurrenceOf(db: TapguardDb, dedupeKey: string): Promise<Occurrence | undefined> {
  return db.occurrences.get(dedupeKey);
}

const DAY = 24 * 60 * 60 * 1000;
const MAX_BARS = 90;
const MIN_DAYS = 14;

export interface Timeline {
  /** Local midnight of the first bar. */
  start: number;
  /** Days per bar (1 unless the range is long). */
  bucketDays: number;
  bars: Array<Record<Kind, number>>;
  /** Largest bar total. */
  max: number;
  total: number;
}

export function localMidnight(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole local days from `start` (a local midnight) to the day of `ts`; DST shifts round away. */
export function dayIndex(start: number, ts: number): number {
  return Math.round((localMidnight(ts) - start) / DAY);
}

/**
 * Incidents per day (or per few days, for long ranges) by kind, over the filter's time range,
 * or from the oldest record to now. Log markers are not incidents and are left out. When only
 * kind and time are filtered, it reads index keys alone ([kind+ts]), never the records.
 */
export async function timelineFor(db: TapguardDb, filter: LogFilter, now: number): Promise<Timeline> {
  const table = chainTable(db);
  const end = filter.to ?? now;
  const oldest = filter.from ?? (await table.orderBy('ts').first())?.ts ?? end;
  const start = localMidnight(Math.min(oldest, end - (MIN_DAYS - 1) * DAY));
  const days = dayIndex(start, end) + 1;
  const bucketDays = Math.max(1, Math.ceil(days / MAX_BARS));
  const bars = Array.from({ length: Math.ceil(days / bucketDays) }, () => ({ 'tls-downgrade': 0, 'cert-anomaly': 0, 'script-injection': 0 }) as Record<Kind, number>);
  let total = 0;
  const add = (kind: string, ts: number) => {
    const bar = bars[Math.floor(dayIndex(start, ts) / bucketDays)];
    if (!bar || !(KINDS as readonly string[]).includes(kind)) return;
    bar[kind as Kind]++;
    total++;
  };

  const keysOnly = !filter.host && !filter.rule && !filter.text?.trim() && (!filter.minSeverity || filter.minSeverity === SEVERITIES[0]);
  const range = { from: filter.from ?? start, to: end };
  if (keysOnly) {
    for (const kind of filter.kind ? [filter.kind] : KINDS) {
      await table
        .where('[kind+ts]')
        .between([kind, range.from], [kind, range.to], true, true)
        .eachKey((key) => add(kind, (key as [string, number])[1]));
    }
  } else {
    const { collection, residual } = plan(db, { ...filter, ...range });
    await (residual ? collection.filter(residual) : collection).each((r) => add(r.kind, r.ts));
  }
  const max = bars.reduce((m, bar) => Math.max(m, bar['tls-downgrade'] + bar['cert-anomaly'] + bar['script-injection']), 0);
  return { start, bucketDays, bars, max, total };
}
