import { toEcsDocument } from '../../store/siem/ecs';
import { toOcsfFinding } from '../../store/siem/ocsf';
import type { Incident } from '../../core/types';
import type { CollectorPolicy } from './policy';

/**
 * One batch of incidents as the HTTP request each engine documents. Pure: the sender adds only
 * fetch and its timeout. Every event carries the chain hash and prevHash, and `dropped`, the
 * number of incidents this browser's queue has had to drop so far (a running total, so a batch
 * delivered twice or lost does not falsify it).
 *
 * - clickhouse: POST `url` with `query=INSERT INTO <table> FORMAT JSONEachRow` (the policy's URL may
 *   carry its own query; otherwise table `tapguard_incidents`), one flat JSON row per line.
 * - loki: POST the push API (`/loki/api/v1/push`), JSON `{"streams":[{"stream":{labels},
 *   "values":[["<unix ns>","<line>"]]}]}`, one stream per severity; the line is the flat row.
 * - splunk-hec: POST `/services/collector/event`, `Authorization: Splunk <token>`, one
 *   `{time, host, source, sourcetype, event}` object per line.
 * - elastic-bulk: POST `<index>/_bulk`, NDJSON of `{"create":{"_id":<hash>}}` and the ECS document,
 *   so a batch sent again is refused as a duplicate (409), never stored twice.
 * - ocsf-json: POST a JSON array of OCSF Detection Findings.
 */

export interface BatchContext {
  tapguardVersion: string;
  /** Incidents dropped by the bounded queue so far. */
  dropped: number;
}

export interface CollectorRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export const DEFAULT_CLICKHOUSE_TABLE = 'tapguard_incidents';

/** The row ClickHouse and Loki receive (README lists a matching ClickHouse table). */
export function flatRow(incident: Incident, policy: CollectorPolicy, context: BatchContext): Record<string, string | number> {
  return {
    time: clickhouseDateTime(incident.ts),
    ts: incident.ts,
    id: incident.id ?? 0,
    device: policy.device ?? '',
    browser: incident.browser,
    kind: incident.kind,
    rule: incident.rule,
    severity: incident.severity,
    host: incident.host,
    url: incident.url,
    title: incident.title,
    evidence: JSON.stringify(incident.evidence),
    dedupe_key: incident.dedupeKey,
    prev_hash: incident.prevHash,
    hash: incident.hash,
    dropped: context.dropped,
    tapguard_version: context.tapguardVersion,
  };
}

/** "2026-05-01 12:00:00" (UTC): what ClickHouse's DateTime reads without extra settings. */
function clickhouseDateTime(ts: number): string {
  return new Date(ts).toISOString().slice(0, 19).replace('T', ' ');
}

export function buildRequest(policy: CollectorPolicy, incidents: readonly Incident[], context: BatchContext): CollectorRequest {
  switch (policy.format) {
    case 'clickhouse':
      return {
        url: clickhouseUrl(policy.url),
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', ...basicOrBearer(policy.token) },
        body: incidents.map((i) => `${JSON.stringify(flatRow(i, policy, context))}\n`).join(''),
      };
    case 'loki':
      return { url: policy.url, method: 'POST', headers: { 'Content-Type': 'application/json', ...basicOrBearer(policy.token) }, body: JSON.stringify(lokiPush(policy, incidents, context)) };
    case 'splunk-hec':
      return {
        url: policy.url,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(policy.token ? { Authorization: `Splunk ${policy.token}` } : {}) },
        body: incidents.map((i) => JSON.stringify(hecEvent(i, policy, context))).join('\n'),
      };
    case 'elastic-bulk':
      return {
        url: policy.url,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', ...(policy.token ? { Authorization: `ApiKey ${policy.token}` } : {}) },
        body: incidents.map((i) => `${JSON.stringify({ create: { _id: i.hash } })}\n${JSON.stringify(withDropped(toEcsDocument(i, producer(policy, context)), context))}\n`).join(''),
      };
    case 'ocsf-json':
      return {
        url: policy.url,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...basicOrBearer(policy.token) },
        body: JSON.stringify(incidents.map((i) => withDropped(toOcsfFinding(i, producer(policy, context)), context))),
      };
  }
}

const producer = (policy: CollectorPolicy, context: BatchContext) => ({ tapguardVersion: context.tapguardVersion, ...(policy.device ? { device: policy.device } : {}) });

/** The drop count rides in the record's tapguard section (`tapguard` in ECS, `unmapped.tapguard` in OCSF). */
function withDropped(document: Record<string, unknown>, context: BatchContext): Record<string, unknown> {
  const home = (document.unmapped ?? document) as Record<string, unknown>;
  home.tapguard = { ...(home.tapguard as Record<string, unknown>), dropped: context.dropped };
  return document;
}

/** A token with a colon is `user:password` (Basic); anything else is a bearer token. */
function basicOrBearer(token: string | undefined): Record<string, string> {
  if (!token) return {};
  if (token.includes(':')) return { Authorization: `Basic ${base64Utf8(token)}` };
  return { Authorization: `Bearer ${token}` };
}

function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function clickhouseUrl(base: string): string {
  const url = new URL(base);
  if (!url.searchParams.has('query')) url.searchParams.set('query', `INSERT INTO ${DEFAULT_CLICKHOUSE_TABLE} FORMAT JSONEachRow`);
  // A table with fewer columns than the row still takes the row (older ClickHouse rejects unknown fields).
  if (!url.searchParams.has('input_format_skip_unknown_fields')) url.searchParams.set('input_format_skip_unknown_fields', '1');
  return url.href;
}

function lokiPush(policy: CollectorPolicy, incidents: readonly Incident[], context: BatchContext) {
  const streams = new Map<string, Array<[string, string]>>();
  for (const incident of incidents) {
    const values = streams.get(incident.severity) ?? [];
    // Nanoseconds as a decimal string: milliseconds followed by six zeros, exact without BigInt.
    values.push([`${Math.trunc(incident.ts)}000000`, JSON.stringify(flatRow(incident, policy, context))]);
    streams.set(incident.severity, values);
  }
  return {
    streams: [...streams].map(([severity, values]) => ({
      // Labels stay few and bounded (Loki indexes them); everything else is in the line.
      stream: { service_name: 'tapguard', severity, ...(policy.device ? { device: policy.device } : {}) },
      values,
    })),
  };
}

function hecEvent(incident: Incident, policy: CollectorPolicy, context: BatchContext) {
  return {
    time: incident.ts / 1000,
    host: policy.device ?? 'tapguard',
    source: 'tapguard',
    sourcetype: 'tapguard:incident',
    event: { ...flatRow(incident, policy, context), evidence: incident.evidence, advice: incident.advice },
  };
}

/** A delivery's outcome. `refused`: the engine answered and would not take what was sent. */
export type Delivery = { ok: true } | { ok: false; error: string; refused?: true };

/**
 * Answers that refuse the content rather than say the engine is away, busy or misconfigured
 * (auth, missing table, rate limit and 5xx are retried as they are): one bad record must not
 * stop every later one, so these lead the collector to narrow the batch down (collector.ts).
 */
const REFUSED_STATUSES = new Set([400, 413, 422]);

/**
 * Whether a response means "stored". Elastic answers 200 even when documents failed, so its body
 * is read: every item must be created, or already there (409, the batch was sent before).
 */
export async function wasDelivered(policy: CollectorPolicy, response: Response): Promise<Delivery> {
  if (!response.ok) return { ok: false, error: `HTTP ${response.status}`, ...(REFUSED_STATUSES.has(response.status) ? { refused: true as const } : {}) };
  if (policy.format !== 'elastic-bulk') return { ok: true };
  try {
    const body = (await response.json()) as { errors?: boolean; items?: Array<Record<string, { status?: number }>> };
    if (!body.errors) return { ok: true };
    const failed = (body.items ?? []).map((item) => Object.values(item)[0]?.status ?? 0).filter((s) => !(s >= 200 && s < 300) && s !== 409);
    if (failed.length === 0) return { ok: true };
    return { ok: false, error: `Elastic refused ${failed.length} documents (HTTP ${failed[0]})`, ...(failed.every((s) => REFUSED_STATUSES.has(s)) ? { refused: true as const } : {}) };
  } catch {
    return { ok: false, error: 'unreadable Elastic bulk response' };
  }
}
