import type { TapguardDb } from './db';
import { GENESIS_HASH, hashIncident } from './incidents';
import { chainTable, isLogMarker, type ChainRecord } from './log';

/*
 * Export formats (DESIGN.md "Export").
 *
 * JSONL: line 1 is a header object `{"tapguardExport":1,...}` that says which tapguard, which
 * browser and which checks produced the file, when, and how many records up to which hash it
 * holds. The header is NOT part of the hash chain: it is context for a reader, and a cross-check
 * against a file cut short. Every following line is one chain record exactly as stored (all
 * fields, including id, prevHash and hash), oldest first, so the chain can be recomputed from
 * the file alone. Records of `kind: "meta"` are log markers (lib/log.ts) and of `kind: "event"`
 * events (lib/events.ts), chained like incidents.
 *
 * CSV: for spreadsheets, not for verification. One header row of column names, then one row per
 * record (RFC 4180: CRLF line ends, fields with quotes, commas or line breaks quoted, quotes
 * doubled); evidence is one column holding its JSON text; `repeats` is how often the incident
 * was seen. Context goes in the file name (browser and export time).
 *
 * Neither format holds page content, cookies or message text: incidents only ever hold
 * sanitised URLs (origin and path) and rule-specific evidence, and the export adds nothing.
 */

export const EXPORT_FORMAT = 1;
const PAGE_SIZE = 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ExportMeta {
  /** tapguard's version (the manifest's). */
  tapguardVersion: string;
  /** Browser name and version, e.g. "Firefox/140.0". */
  browser: string;
  /** What this browser let tapguard check (lib/capabilities.ts). */
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

export type ChainCheck = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

/**
 * Recomputes the hash chain. The first record may follow a pruned prefix (retention), so its
 * prevHash is taken as given; every later link must match, and every hash must recompute.
 */
export function verifyChain(incidents: Iterable<ChainRecord>): ChainCheck {
  let prev: string | undefined;
  let index = 0;
  for (const incident of incidents) {
    if (prev !== undefined && incident.prevHash !== prev)
      return { ok: false, count: index, brokenAt: index, reason: 'prevHash does not match the previous record' };
    if (hashIncident(incident) !== incident.hash)
      return { ok: false, count: index, brokenAt: index, reason: 'hash does not match the record content' };
    prev = incident.hash;
    index++;
  }
  return { ok: true, count: index };
}

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
    note: 'This first line describes the export and is not part of the hash chain. Each following line is one record; hash = sha256(prevHash + canonical JSON of the record without id and hash). Verify with `npm run verify -- <file>` or on the tapguard incidents page.',
  };
  yield `${JSON.stringify(header)}\n`;
  if (snap.last?.id === undefined) return;
  for await (const page of prefetched(readChain(db, { ...options, upToId: snap.last.id }))) {
    yield page.map((r) => `${jsonlLine(r)}\n`).join('');
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

/** e.g. `tapguard-incidents-chrome-2026-05-01T12-00-00Z.jsonl`: the CSV's only context, too. */
export function exportFileName(format: 'jsonl' | 'csv', browserFamily: string, exportedAt: string): string {
  const when = exportedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const family = browserFamily.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `tapguard-incidents-${family}-${when}.${format}`;
}

// ---------------------------------------------------------------------------------------------
// Verifier

export type JsonlFailure =
  | 'bad-json'
  | 'missing-field'
  | 'prev-hash-mismatch'
  | 'hash-mismatch'
  | 'id-order'
  | 'bad-header'
  | 'header-mismatch'
  | 'unreadable';

export type JsonlCheck =
  | {
      ok: true;
      /** Chain records in the file (incidents, events and log markers). */
      count: number;
      markers: number;
      /** Event records (lib/events.ts): they group incidents of the file that share a cause. */
      events: number;
      /** False when the first record follows records that are not in the file. */
      startsAtGenesis: boolean;
      header?: Record<string, unknown>;
    }
  | {
      ok: false;
      /** Records that verified before the break. */
      count: number;
      /** 1-based line of the file (the header, if any, is line 1). */
      line: number;
      reason: JsonlFailure;
      message: string;
      header?: Record<string, unknown>;
    };

const STRING_FIELDS = ['kind', 'rule', 'severity', 'host', 'url', 'browser', 'title', 'advice', 'dedupeKey'] as const;

type ChainLink = { id: number; prevHash: string; hash: string; kind: string };

function fieldProblem(value: Record<string, unknown>): string | undefined {
  if (typeof value.id !== 'number' || !Number.isSafeInteger(value.id) || value.id < 0) return 'field "id" is missing or not a whole number';
  if (typeof value.ts !== 'number' || !Number.isFinite(value.ts)) return 'field "ts" is missing or not a number';
  for (const field of STRING_FIELDS) if (typeof value[field] !== 'string') return `field "${field}" is missing or not text`;
  if (!value.evidence || typeof value.evidence !== 'object' || Array.isArray(value.evidence)) return 'field "evidence" is missing or not an object';
  for (const field of ['prevHash', 'hash'] as const)
    if (typeof value[field] !== 'string' || !SHA256_HEX.test(value[field])) return `field "${field}" is missing or not a sha256 hex digest`;
  return undefined;
}

/**
 * A line-at-a-time verifier: `push` each line of the file, then `end`. The first problem ends
 * the check; nothing here throws, whatever the lines hold.
 */
export function createJsonlVerifier() {
  let line = 0;
  let count = 0;
  let markers = 0;
  let events = 0;
  let lastLine = 0;
  let prev: ChainLink | undefined;
  let first: ChainLink | undefined;
  let header: Record<string, unknown> | undefined;
  let failed: JsonlCheck | undefined;

  const fail = (at: number, reason: JsonlFailure, message: string): JsonlCheck =>
    (failed = { ok: false, count, line: at, reason, message, ...(header ? { header } : {}) });

  function push(raw: string): JsonlCheck | undefined {
    if (failed) return failed;
    line++;
    try {
      let text = String(raw);
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return fail(line, 'bad-json', 'this line is not valid JSON');
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) return fail(line, 'missing-field', 'this line is not a JSON object');
      const object = value as Record<string, unknown>;
      if (line === 1 && 'tapguardExport' in object) {
        if (object.tapguardExport !== EXPORT_FORMAT)
          return fail(line, 'bad-header', `export format ${JSON.stringify(object.tapguardExport)} is not one this verifier knows (${EXPORT_FORMAT})`);
        header = object;
        return undefined;
      }
      const problem = fieldProblem(object);
      if (problem) return fail(line, 'missing-field', problem);
      const record = object as ChainLink;
      if (typeof header?.records === 'number' && count >= header.records)
        return fail(line, 'header-mismatch', `the header lists ${header.records} records; this line is one more`);
      if (prev && record.id <= prev.id) return fail(line, 'id-order', `id ${record.id} does not follow id ${prev.id}`);
      if (prev && record.prevHash !== prev.hash) return fail(line, 'prev-hash-mismatch', 'prevHash does not match the hash of the previous record');
      if (hashIncident(record) !== record.hash) return fail(line, 'hash-mismatch', 'the hash does not match the content of this record');
      first ??= record;
      prev = record;
      lastLine = line;
      count++;
      if (record.kind === 'meta') markers++;
      if (record.kind === 'event') events++;
      return undefined;
    } catch (error) {
      // E.g. nesting too deep to hash: the record cannot be what tapguard wrote.
      return fail(line, 'hash-mismatch', `this record cannot be hashed (${error instanceof Error ? error.name : 'error'})`);
    }
  }

  function end(): JsonlCheck {
    if (failed) return failed;
    if (header) {
      const records = header.records;
      if (typeof records === 'number' && records > count)
        return fail(Math.max(lastLine, 1) + 1, 'header-mismatch', `the header lists ${records} records but the file ends after ${count}: it was cut short`);
      if (typeof header.headHash === 'string' && prev && header.headHash !== prev.hash)
        return fail(lastLine, 'header-mismatch', 'the last record is not the one the header names');
    }
    return {
      ok: true,
      count,
      markers,
      events,
      startsAtGenesis: !first || first.prevHash === GENESIS_HASH,
      ...(header ? { header } : {}),
    };
  }

  return {
    push,
    end,
    get line() {
      return line;
    },
  };
}

/** Verifies a JSONL export given line by line (without line ends). Never throws. */
export async function verifyJsonl(lines: AsyncIterable<string> | Iterable<string>): Promise<JsonlCheck> {
  const verifier = createJsonlVerifier();
  try {
    // A whole text passed by mistake would otherwise be verified character by character.
    if (typeof lines === 'string') lines = linesOf(lines);
    if (Symbol.asyncIterator in lines) {
      for await (const text of lines) if (verifier.push(text)) break;
    } else {
      for (const text of lines) if (verifier.push(text)) break;
    }
  } catch (error) {
    return {
      ok: false,
      count: 0,
      line: verifier.line + 1,
      reason: 'unreadable',
      message: `the file could not be read (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  return verifier.end();
}

/** The lines of a text, lazily (no array of a whole file's lines). */
export function* linesOf(text: string): Generator<string> {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      if (start < text.length) yield text.slice(start);
      return;
    }
    yield text.slice(start, end);
    start = end + 1;
  }
}

/** The lines of a byte stream (a File's `stream()`), decoded as UTF-8. */
export async function* streamLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      rest += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      yield* parts;
      if (done) break;
    }
    if (rest) yield rest;
  } finally {
    reader.releaseLock();
  }
}

export { GENESIS_HASH };
