import { canonicalJson, sha256Hex } from '../core/hash';

/*
 * The JSONL verifier (the file format is described in lib/store/export.ts). It needs no database,
 * so the log page, which verifies a file the user picks, loads it without Dexie.
 */

export const EXPORT_FORMAT = 1;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** The prevHash of the chain's first record: lib/store/incidents.ts GENESIS_HASH (a unit test checks they agree). */
export const VERIFIER_GENESIS_HASH = '0'.repeat(64);

// ---------------------------------------------------------------------------------------------
// Verifier

export type JsonlFailure =
  | 'bad-json'
  | 'not-canonical'
  | 'too-long'
  | 'missing-field'
  | 'prev-hash-mismatch'
  | 'hash-mismatch'
  | 'id-order'
  | 'bad-removed'
  | 'bad-header'
  | 'header-mismatch'
  | 'unreadable';

/**
 * The longest line the verifier reads, in UTF-16 code units (about 16 MB of ASCII). tapguard's
 * own records are a few kilobytes (evidence is bounded by lib/core/limits.ts); the cap keeps a hostile
 * file from making the verifier hold gigabytes for one line.
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

export type JsonlCheck =
  | {
      ok: true;
      /** Chain records in the file (incidents, events and log markers). */
      count: number;
      markers: number;
      /** Event records (lib/core/events.ts): they group incidents of the file that share a cause. */
      events: number;
      /** False when the first record follows records that are not in the file. */
      startsAtGenesis: boolean;
      /** Holes retention left in the middle of the chain ("tapguardRemoved" lines), and the ids they skip. */
      holes: number;
      removedIds: number;
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

/** Intact, but not the whole log since its start: older records or records in between are missing. */
export function isPartialChain(result: JsonlCheck): boolean {
  return result.ok && (!result.startsAtGenesis || result.holes > 0);
}

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

/** Above this many characters a record is hashed by the platform's WebCrypto, where there is one. */
const NATIVE_HASH_FROM = 64 * 1024;

/**
 * hashIncident, for the verifier: a long record goes to WebCrypto (native, several times faster
 * than the pure-JavaScript sha256 the recorder must use inside its IndexedDB transaction), a
 * short one stays synchronous (a promise per line would cost more than it saves).
 */
async function recordHash(record: ChainLink): Promise<string> {
  const { id: _id, hash: _hash, ...content } = record;
  const text = record.prevHash + canonicalJson(content);
  const subtle = globalThis.crypto?.subtle;
  if (text.length < NATIVE_HASH_FROM || !subtle) return sha256Hex(text);
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The hole a "tapguardRemoved" line declares, if the line is exactly one. */
function removedHole(object: Record<string, unknown>): { afterId: number; nextId: number } | undefined {
  const hole = object.tapguardRemoved as Record<string, unknown> | undefined;
  if (Object.keys(object).length !== 1 || !hole || typeof hole !== 'object' || Object.keys(hole).length !== 2) return undefined;
  const { afterId, nextId } = hole;
  if (!Number.isSafeInteger(afterId) || !Number.isSafeInteger(nextId)) return undefined;
  return (nextId as number) > (afterId as number) + 1 ? { afterId: afterId as number, nextId: nextId as number } : undefined;
}

/**
 * A line-at-a-time verifier: `push` each line of the file, then `end`. The first problem ends
 * the check; nothing here throws, whatever the lines hold. Each line is parsed once and
 * serialised once (linear in its length), and must equal that serialisation: JSON.parse keeps
 * the last of two equal keys and turns `1e999` into Infinity (hashed as null), so a line in any
 * other form could show a reader something other than what its hash covers.
 */
// eslint-disable-next-line max-lines-per-function -- a streaming state machine: its counters and the previous link are the state each push() advances
export function createJsonlVerifier() {
  let line = 0;
  let count = 0;
  let markers = 0;
  let holes = 0;
  let removedIds = 0;
  let events = 0;
  let lastLine = 0;
  let prev: ChainLink | undefined;
  let first: ChainLink | undefined;
  let hole: { afterId: number; nextId: number } | undefined;
  let header: Record<string, unknown> | undefined;
  let failed: JsonlCheck | undefined;

  const fail = (at: number, reason: JsonlFailure, message: string): JsonlCheck =>
    (failed = { ok: false, count, line: at, reason, message, ...(header ? { header } : {}) });

  function parseLine(text: string): Record<string, unknown> | JsonlCheck {
    if (text.length > MAX_LINE_CHARS) return fail(line, 'too-long', `this line is longer than ${MAX_LINE_CHARS} characters, far more than any record tapguard writes`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail(line, 'bad-json', 'this line is not valid JSON');
    }
    if (JSON.stringify(value) !== text)
      return fail(line, 'not-canonical', 'this line is not written the way tapguard writes it (repeated keys, spaces, or numbers such as 1.0, -0 or 1e999): a reader could see other values than the hash covers');
    if (!value || typeof value !== 'object' || Array.isArray(value)) return fail(line, 'missing-field', 'this line is not a JSON object');
    return value as Record<string, unknown>;
  }

  async function pushRecord(object: Record<string, unknown>): Promise<JsonlCheck | undefined> {
    const problem = fieldProblem(object);
    if (problem) return fail(line, 'missing-field', problem);
    const record = object as ChainLink;
    if (typeof header?.records === 'number' && count >= header.records)
      return fail(line, 'header-mismatch', `the header lists ${header.records} records; this line is one more`);
    if (prev && record.id <= prev.id) return fail(line, 'id-order', `id ${record.id} does not follow id ${prev.id}`);
    if (hole) {
      if (record.id !== hole.nextId) return fail(line, 'bad-removed', `the line before says the next record is id ${hole.nextId}, not ${record.id}`);
      if (prev && record.prevHash === prev.hash) return fail(line, 'bad-removed', 'the line before says records were removed here, but this record links to the one before it');
      holes++;
      removedIds += hole.nextId - hole.afterId - 1;
    } else if (prev && record.prevHash !== prev.hash) return fail(line, 'prev-hash-mismatch', 'prevHash does not match the hash of the previous record');
    if ((await recordHash(record)) !== record.hash) return fail(line, 'hash-mismatch', 'the hash does not match the content of this record');
    hole = undefined;
    first ??= record;
    prev = record;
    lastLine = line;
    count++;
    if (record.kind === 'meta') markers++;
    if (record.kind === 'event') events++;
    return undefined;
  }

  async function push(raw: string): Promise<JsonlCheck | undefined> {
    if (failed) return failed;
    line++;
    try {
      let text = String(raw);
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text === '') return undefined;
      const object = parseLine(text);
      if ('ok' in object && object === failed) return failed;
      if (line === 1 && 'tapguardExport' in object) {
        if (object.tapguardExport !== EXPORT_FORMAT)
          return fail(line, 'bad-header', `export format ${JSON.stringify(object.tapguardExport)} is not one this verifier knows (${EXPORT_FORMAT})`);
        header = object;
        return undefined;
      }
      if ('tapguardRemoved' in object) {
        const declared = removedHole(object);
        if (!declared || !prev || hole || declared.afterId !== prev.id)
          return fail(line, 'bad-removed', 'this line says records were removed, but it does not follow the record it names');
        hole = declared;
        return undefined;
      }
      return await pushRecord(object);
    } catch (error) {
      // E.g. nesting too deep to hash: the record cannot be what tapguard wrote.
      return fail(line, 'hash-mismatch', `this record cannot be hashed (${error instanceof Error ? error.name : 'error'})`);
    }
  }

  function end(): JsonlCheck {
    if (failed) return failed;
    if (hole) return fail(line + 1, 'bad-removed', 'the file ends right after a line that says records were removed');
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
      startsAtGenesis: !first || first.prevHash === VERIFIER_GENESIS_HASH,
      holes,
      removedIds,
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
      for await (const text of lines) if (await verifier.push(text)) break;
    } else {
      for (const text of lines) if (await verifier.push(text)) break;
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

/**
 * The lines of a byte stream (a File's `stream()`), decoded as UTF-8, in time linear in the
 * file's length: each chunk is searched for line ends once, and a line's pieces are joined once.
 * A line that grows past `maxLineChars` is yielded as soon as it does (the verifier then rejects
 * it), so memory stays bounded.
 */
export async function* streamLines(stream: ReadableStream<Uint8Array>, maxLineChars = MAX_LINE_CHARS): AsyncGenerator<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let pieces: string[] = [];
  let pending = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        pieces.push(text.slice(start, end));
        yield pieces.join('');
        pieces = [];
        pending = 0;
        start = end + 1;
      }
      if (start < text.length) {
        pieces.push(text.slice(start));
        pending += text.length - start;
      }
      if (pending > maxLineChars) {
        yield pieces.join('');
        return;
      }
      if (done) break;
    }
    if (pending > 0) yield pieces.join('');
  } finally {
    reader.releaseLock();
  }
}

