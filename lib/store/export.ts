import type { TapguardDb } from './db';
import { GENESIS_HASH, hashIncident } from './incidents';
import { chainTable, isLogMarker, type ChainRecord } from './log';
import { EXPORT_FORMAT } from './verify';

// The verifier (lib/store/verify.ts) needs no database: the log page loads it without Dexie.
export * from './verify';
export { exportFileName } from './file-name';

/*
 * Export formats (DESIGN.md "Export").
 *
 * JSONL: line 1 is a header object `{"tapguardExport":1,...}` that says which tapguard, which
 * browser and which checks produced the file, when, and how many records up to which hash it
 * holds. The header is NOT part of the hash chain: it is context for a reader, and a cross-check
 * against a file cut short. Every following line is one chain record exactly as stored (all
 * fields, including id, prevHash and hash), oldest first, so the chain can be recomputed from
 * the file alone. Records of `kind: "meta"` are log markers (lib/store/log.ts) and of `kind: "event"`
 * events (lib/core/events.ts), chained like incidents.
 *
 * CSV: for spreadsheets, not for verification. One header row of column names, then one row per
 * record (RFC 4180: CRLF line ends, fields with quotes, commas or line breaks quoted, quotes
 * doubled); evidence is one column holding its JSON text; `repeats` is how often the incident
 * was seen. Context goes in the file name (browser and export time).
 *
 * Neither format holds page content, cookies or message text: incidents only ever hold
 * sanitised URLs (origin and path) and rule-specific evidence, and the export adds nothing.
 */

const PAGE_SIZE = 1000;

export interface ExportMeta {
  /** tapguard's version (the manifest's). */
  tapguardVersion: string;
  /** Browser name and version, e.g. "Firefox/140.0". */
  browser: string;
  /** What this browser let tapguard check (lib/ui/capabilities.ts). */
  checks: ReadonlyArray<{ check: string; available: boolean }>;
  /** ISO time of the export. */
  exportedAt: string;
}

export interface ExportHeader extends ExportMeta {
  tapguardExport: typeof EXPORT_FORMAT;
  records: number;
  firstId: number | null;
  lastId: number | null;
  /** Hash of the last record in the file: the file's chain must end here. */
  headHash: string | null;
  /** False when older records were removed (retention or clearing) before this export. */
  startsAtGenesis: boolean;
  note: string;
}

export type ChainCheck =
  | { ok: true; count: number; gaps: number }
  | { ok: false; count: number; brokenAt: number; reason: string };

/**
 * Recomputes the hash chain. The first record may follow a pruned prefix (retention), so its
 * prevHash is taken as given; every later link must match, except where ids skip: retention
 * removed low or medium records there (lib/store/retention.ts), which is counted in `gaps`. Every hash
 * must recompute.
 */
export function verifyChain(incidents: Iterable<ChainRecord>): ChainCheck {
  let prev: ChainRecord | undefined;
  let index = 0;
  let gaps = 0;
  for (const incident of incidents) {
    if (prev !== undefined && incident.prevHash !== prev.hash) {
      if (!isHole(prev.id, incident.id)) return { ok: false, count: index, brokenAt: index, reason: 'prevHash does not match the previous record' };
      gaps++;
    }
    if (hashIncident(incident) !== incident.hash)
      return { ok: false, count: index, brokenAt: index, reason: 'hash does not match the record content' };
    prev = incident;
    index++;
  }
  return { ok: true, count: index, gaps };
}

/** Records between these two ids were deleted: only then may a link be missing. */
const isHole = (beforeId: number | undefined, afterId: number | undefined) =>
  beforeId !== undefined && afterId !== undefined && afterId > beforeId + 1;

interface Snapshot {
  records: number;
  first?: ChainRecord;
  last?: ChainRecord;
}

/** The extent of the log at the start of an export; later appends are left for the next export. */
function snapshot(db: TapguardDb): Promise<Snapshot> {
  const table = chainTable(db);
  return db.transaction('r', table, async () => {
    const [first, last] = await Promise.all([table.orderBy(':id').first(), table.orderBy(':id').last()]);
    const records = last?.id === undefined ? 0 : await table.where(':id').belowOrEqual(last.id).count();
    return { records, ...(first ? { first } : {}), ...(last ? { last } : {}) };
  });
}

/**
 * The chain oldest first, in pages read by primary key, never the whole table at once. Each page
 * is its own short read: the caller may take its time between pages (a Blob, a file, a socket).
 */
export async function* readChain(db: TapguardDb, options: { pageSize?: number; upToId?: number } = {}): AsyncGenerator<ChainRecord[]> {
  const table = chainTable(db);
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const upTo = options.upToId ?? Infinity;
  let after = -Infinity;
  for (;;) {
    const page = await table.where(':id').above(after).limit(pageSize).toArray();
    const inRange = page.filter((r) => (r.id ?? Infinity) <= upTo);
    if (inRange.length) yield inRange;
    if (page.length < pageSize || inRange.length < page.length) return;
    after = page[page.length - 1]!.id!;
  }
}

/**
 * Asks for the next item as soon as the current one is handed out, so reading page N+1 overlaps
 * with whatever the consumer does with page N (the CSV's repeat counts, building rows).
 */
export async function* prefetched<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const { value, done } = await next;
      if (done) return;
      next = source.next();
      // A rejection of the prefetch surfaces at the next await, not as an unhandled rejection.
      next.catch(() => undefined);
      yield value;
    }
  } finally {
    // A consumer that stops early closes the source too (after the read in flight).
    void source.return(undefined).catch(() => undefined);
  }
}

/** One record as a JSONL line: every stored field, `id` first for the reader's sake. */
export function jsonlLine(record: ChainRecord): string {
  return JSON.stringify({ id: record.id, ...record });
}

/**
 * The line that stands where retention removed records from the middle of the chain (low and
 * medium ones, to make room: lib/store/retention.ts): it names the last record before the hole and the
 * first after it. It is not part of the chain, and a verifier says where such holes are; it lets
 * a verifier accept exactly one missing link here and nowhere else.
 */
export interface RemovedLine {
  tapguardRemoved: { afterId: number; nextId: number };
}

export function removedLine(afterId: number, nextId: number): string {
  return JSON.stringify({ tapguardRemoved: { afterId, nextId } } satisfies RemovedLine);
}

export async function* exportJsonl(db: TapguardDb, meta: ExportMeta, options: { pageSize?: number } = {}): AsyncGenerator<string> {
  const snap = await snapshot(db);
  const header: ExportHeader = {
    tapguardExport: EXPORT_FORMAT,
    ...meta,
    records: snap.records,
    firstId: snap.first?.id ?? null,
    lastId: snap.last?.id ?? null,
    headHash: snap.last?.hash ?? null,
    startsAtGenesis: !snap.first || snap.first.prevHash === GENESIS_HASH,
    note: 'This first line describes the export and is not part of the hash chain, so nothing in it is verified. Each following line is one record; hash = sha256(prevHash + canonical JSON of the record without id and hash). A "tapguardRemoved" line marks where retention deleted low or medium records. Verify with `npm run verify -- <file>` or on the tapguard incidents page.',
  };
  yield `${JSON.stringify(header)}\n`;
  if (snap.last?.id === undefined) return;
  let prev: ChainRecord | undefined;
  for await (const page of prefetched(readChain(db, { ...options, upToId: snap.last.id }))) {
    let text = '';
    for (const r of page) {
      if (prev && r.prevHash !== prev.hash && isHole(prev.id, r.id)) text += `${removedLine(prev.id!, r.id!)}\n`;
      text += `${jsonlLine(r)}\n`;
      prev = r;
    }
    yield text;
  }
}

export const CSV_COLUMNS = [
  'id',
  'time',
  'ts',
  'kind',
  'rule',
  'severity',
  'host',
  'url',
  'browser',
  'title',
  'advice',
  'evidence',
  'repeats',
  'dedupeKey',
  'prevHash',
  'hash',
] as const;

/**
 * One CSV field (RFC 4180). A text that a spreadsheet would run as a formula gets a leading
 * apostrophe: incident fields never start that way, but the log must not become an attack on
 * whoever opens it.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export async function* exportCsv(db: TapguardDb, options: { pageSize?: number } = {}): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  const snap = await snapshot(db);
  if (snap.last?.id === undefined) return;
  for await (const page of prefetched(readChain(db, { ...options, upToId: snap.last.id }))) {
    const from = page[0]!.id!;
    const to = page[page.length - 1]!.id!;
    // One getAll per page: a cursor (`each`) costs an event-loop turn per row, seconds at 100,000.
    const counts = await db.occurrences.where('incidentId').between(from, to, true, true).toArray();
    const repeats = new Map(counts.map((o) => [o.incidentId, o.count]));
    let text = '';
    for (const r of page) text += csvRow(r, isLogMarker(r) ? null : (repeats.get(r.id!) ?? null));
    yield text;
  }
}

/**
 * One CSV line, cells in CSV_COLUMNS order. Written out rather than built through an object and
 * an array per record: at 100,000 records those are most of the export's garbage.
 */
function csvRow(r: ChainRecord, repeats: number | null): string {
  const time = Number.isFinite(r.ts) ? new Date(r.ts).toISOString() : '';
  return (
    `${csvField(r.id)},${csvField(time)},${csvField(r.ts)},${csvField(r.kind)},${csvField(r.rule)},${csvField(r.severity)},` +
    `${csvField(r.host)},${csvField(r.url)},${csvField(r.browser)},${csvField(r.title)},${csvField(r.advice)},` +
    `${csvField(JSON.stringify(r.evidence))},${csvField(repeats)},${csvField(r.dedupeKey)},${csvField(r.prevHash)},${csvField(r.hash)}\r\n`
  );
}


export { GENESIS_HASH };
