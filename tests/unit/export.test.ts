import { afterEach, describe, expect, it } from 'vitest';
import type { TapguardDb } from '@/lib/store/db';
import {
  prefetched,
  CSV_COLUMNS,
  csvField,
  exportCsv,
  exportFileName,
  exportJsonl,
  isPartialChain,
  linesOf,
  MAX_LINE_CHARS,
  removedLine,
  streamLines,
  verifyJsonl,
  type ExportMeta,
  type JsonlCheck,
} from '@/lib/store/export';
import { GENESIS_HASH, hashIncident } from '@/lib/store/incidents';
import { applyRetention } from '@/lib/store/retention';
import { collect, finding, freshDb, seed } from './log-fixtures';

const META: ExportMeta = {
  tapguardVersion: '0.1.0',
  browser: 'Firefox/140.0',
  checks: [{ check: 'Certificate chain and root', available: true }],
  exportedAt: '2026-05-01T12:00:00.000Z',
};

let db: TapguardDb;
afterEach(async () => {
  await db?.delete();
});

async function exported(count: number): Promise<string[]> {
  db = freshDb();
  await seed(db, count);
  const text = await collect(exportJsonl(db, META));
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** Parses a CSV text (RFC 4180) into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  return rows;
}

describe('JSONL export', () => {
  it('writes a header line, then every record with its chain fields, oldest first', async () => {
    const lines = await exported(5);
    expect(lines).toHaveLength(6);
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({ tapguardExport: 1, ...META, records: 5, firstId: 1, lastId: 5, startsAtGenesis: true });
    const records = lines.slice(1).map((l) => JSON.parse(l));
    expect(records.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(Object.keys(records[0]!)[0]).toBe('id');
    expect(records[0]).toMatchObject({ prevHash: GENESIS_HASH, url: 'https://mail.example.org/' });
    expect(records[4]!.hash).toBe(header.headHash);
    for (const r of records) expect(Object.keys(r)).toEqual(expect.arrayContaining(['id', 'ts', 'kind', 'rule', 'severity', 'host', 'url', 'browser', 'title', 'advice', 'evidence', 'dedupeKey', 'prevHash', 'hash']));
  });

  it('never carries query strings or fragments', async () => {
    const text = (await exported(3)).join('\n');
    expect(text).not.toContain('_uid');
    expect(text).not.toContain('#secret');
  });

  it('reads the table in pages and yields one chunk per page', async () => {
    db = freshDb();
    await seed(db, 10);
    const chunks: string[] = [];
    for await (const chunk of exportJsonl(db, META, { pageSize: 3 })) chunks.push(chunk);
    expect(chunks.map((c) => c.split('\n').length - 1)).toEqual([1, 3, 3, 3, 1]);
  });

  it('exports the log as it was when the export started', async () => {
    db = freshDb();
    const recorder = await seed(db, 4);
    const chunks = exportJsonl(db, META, { pageSize: 2 });
    const header = (await chunks.next()).value as string;
    await recorder.record([finding(100)]);
    let rest = '';
    for await (const chunk of chunks) rest += chunk;
    expect(JSON.parse(header).records).toBe(4);
    const result = await verifyJsonl(linesOf(header + rest));
    expect(result).toMatchObject({ ok: true, count: 4 });
  });

  it('exports an empty log as a header alone, which verifies', async () => {
    const lines = await exported(0);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ records: 0, headHash: null });
    expect(await verifyJsonl(lines)).toMatchObject({ ok: true, count: 0 });
  });

  it('names files by browser and time', () => {
    expect(exportFileName('jsonl', 'chrome', '2026-05-01T12:00:00.123Z')).toBe('tapguard-incidents-chrome-2026-05-01T12-00-00Z.jsonl');
  });
});

describe('verifyJsonl', () => {
  it('accepts an intact export', async () => {
    const lines = await exported(20);
    expect(await verifyJsonl(lines)).toMatchObject({ ok: true, count: 20, markers: 0, startsAtGenesis: true, header: { browser: 'Firefox/140.0' } });
  });

  it('accepts CRLF line ends, a byte-order mark, blank lines and async input', async () => {
    const lines = await exported(3);
    const crlf = `\ufeff${lines.join('\r\n')}\r\n\r\n`;
    expect(await verifyJsonl(linesOf(crlf))).toMatchObject({ ok: true, count: 3 });
    async function* slowly() {
      for (const l of lines) yield l;
    }
    expect(await verifyJsonl(slowly())).toMatchObject({ ok: true, count: 3 });
    // A whole text passed by mistake is split into lines, not read character by character.
    expect(await verifyJsonl(lines.join('\n') as unknown as Iterable<string>)).toMatchObject({ ok: true, count: 3 });
  });

  it('verifies a stream of bytes split anywhere, even inside a character', async () => {
    const lines = await exported(3);
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    expect(await verifyJsonl(streamLines(stream))).toMatchObject({ ok: true, count: 3 });
  });

  it('accepts a chain whose older records were removed by retention', async () => {
    db = freshDb();
    await seed(db, 10, { stepMs: 24 * 60 * 60 * 1000 });
    await applyRetention(db, { retentionDays: 4, maxIncidents: 1000 }, Date.UTC(2026, 0, 10, 12));
    const text = await collect(exportJsonl(db, META));
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ records: 4, firstId: 7, startsAtGenesis: false });
    expect(await verifyJsonl(linesOf(text))).toMatchObject({ ok: true, count: 4, startsAtGenesis: false });
  });

  const broken = (result: JsonlCheck) => (result.ok ? undefined : { line: result.line, reason: result.reason, count: result.count });

  it('finds a changed field, on its line', async () => {
    const lines = await exported(6);
    const record = JSON.parse(lines[3]!);
    record.severity = 'low';
    lines[3] = JSON.stringify(record);
    expect(broken(await verifyJsonl(lines))).toEqual({ line: 4, reason: 'hash-mismatch', count: 2 });
  });

  it('finds a removed, a reordered and an inserted record', async () => {
    const lines = await exported(6);
    expect(broken(await verifyJsonl([...lines.slice(0, 3), ...lines.slice(4)]))).toMatchObject({ line: 4, reason: 'prev-hash-mismatch' });
    expect(broken(await verifyJsonl([lines[0]!, lines[1]!, lines[3]!, lines[2]!, ...lines.slice(4)]))).toMatchObject({ line: 3, reason: 'prev-hash-mismatch' });
    expect(broken(await verifyJsonl([...lines.slice(0, 3), lines[2]!, ...lines.slice(3)]))).toMatchObject({ line: 4, reason: 'id-order' });
  });

  it('finds a rehashed record through the next link', async () => {
    const lines = await exported(4);
    const { hashIncident } = await import('@/lib/store/incidents');
    const record = JSON.parse(lines[2]!);
    record.title = 'nothing happened';
    record.hash = hashIncident(record);
    lines[2] = JSON.stringify(record);
    expect(broken(await verifyJsonl(lines))).toMatchObject({ line: 4, reason: 'prev-hash-mismatch' });
  });

  it('names bad JSON and missing fields', async () => {
    const lines = await exported(3);
    expect(broken(await verifyJsonl([lines[0]!, lines[1]!, '{"id":2,']))).toMatchObject({ line: 3, reason: 'bad-json' });
    const record = JSON.parse(lines[2]!);
    delete record.prevHash;
    expect(broken(await verifyJsonl([lines[0]!, lines[1]!, JSON.stringify(record)]))).toMatchObject({ line: 3, reason: 'missing-field' });
    expect(broken(await verifyJsonl([lines[0]!, '[1,2]']))).toMatchObject({ line: 2, reason: 'missing-field' });
    expect(broken(await verifyJsonl(['{"tapguardExport":2}']))).toMatchObject({ line: 1, reason: 'bad-header' });
  });

  it('finds a file cut short or extended against its header', async () => {
    const lines = await exported(5);
    expect(broken(await verifyJsonl(lines.slice(0, 4)))).toEqual({ line: 5, reason: 'header-mismatch', count: 3 });
    // Without the header, a cut end cannot be seen: the header is what makes it visible.
    expect(await verifyJsonl(lines.slice(1, 4))).toMatchObject({ ok: true, count: 3 });
  });

  it('reports an input that fails to read, instead of throwing', async () => {
    const lines = await exported(2);
    async function* failing() {
      yield lines[0]!;
      throw new Error('disk gone');
    }
    expect(await verifyJsonl(failing())).toMatchObject({ ok: false, reason: 'unreadable', line: 2 });
    expect(await verifyJsonl(null as unknown as string[])).toMatchObject({ ok: false, reason: 'unreadable' });
  });

  it('never throws on random input (fuzz)', async () => {
    let seedValue = 42;
    const random = () => ((seedValue = (seedValue * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pieces = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1e999', '-0', '"prevHash"', '"hash"', '"id"', '\\', '\\u', '\ud800', '\u0000', ' ', '{"tapguardExport":1,"records":', '"0000"'];
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        Array.from({ length: Math.floor(random() * 30) }, () => (random() < 0.5 ? pieces[Math.floor(random() * pieces.length)] : String.fromCharCode(Math.floor(random() * 0x2fff)))).join(''),
      );
      const result = await verifyJsonl(lines);
      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) expect(result.line).toBeGreaterThanOrEqual(1);
    }
    const deep = `{"id":1,"ts":1,"kind":"a","rule":"a","severity":"a","host":"","url":"","browser":"","title":"","advice":"","dedupeKey":"","prevHash":"${'0'.repeat(64)}","hash":"${'0'.repeat(64)}","evidence":{"x":${'['.repeat(20000)}${']'.repeat(20000)}}}`;
    expect(await verifyJsonl([deep])).toMatchObject({ ok: false, line: 1 });
    expect(await verifyJsonl([1, {}, undefined] as unknown as string[])).toMatchObject({ ok: false });
  });

  it('catches any single changed character in a record, on that line (fuzz)', async () => {
    const lines = await exported(8);
    let seedValue = 7;
    const random = () => ((seedValue = (seedValue * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 400; round++) {
      const lineIndex = 1 + Math.floor(random() * 8);
      const line = lines[lineIndex]!;
      // Skip the `{"id":N,` prefix: ids are outside the hash by design and only checked for order.
      const start = line.indexOf(',') + 1;
      const at = start + Math.floor(random() * (line.length - start));
      let replacement = String.fromCharCode(32 + Math.floor(random() * 95));
      if (replacement === line[at]) replacement = replacement === 'x' ? 'y' : 'x';
      const tampered = [...lines];
      tampered[lineIndex] = line.slice(0, at) + replacement + line.slice(at + 1);
      const result = await verifyJsonl(tampered);
      expect(result.ok, `${tampered[lineIndex]}`).toBe(false);
      if (!result.ok) expect(result.line).toBe(lineIndex + 1);
    }
  });
});

describe('verifyJsonl: one serialisation per line', () => {
  const broken = (result: JsonlCheck) => (result.ok ? undefined : { line: result.line, reason: result.reason });

  it('rejects a duplicate key, even one that repeats the value the hash covers', async () => {
    const lines = await exported(3);
    // A reader (or a viewer that keeps the first key) sees "info"; JSON.parse and the hash see the last.
    const shown = lines[2]!.replace('"severity":"high"', '"severity":"info","severity":"high"');
    expect(broken(await verifyJsonl([lines[0]!, lines[1]!, shown, lines[3]!]))).toEqual({ line: 3, reason: 'not-canonical' });
    const twice = lines[2]!.replace('"severity":"high"', '"severity":"high","severity":"high"');
    expect(broken(await verifyJsonl([lines[0]!, lines[1]!, twice, lines[3]!]))).toEqual({ line: 3, reason: 'not-canonical' });
  });

  it('rejects numbers written in any but the shortest form', async () => {
    const lines = await exported(2);
    const record = JSON.parse(lines[1]!);
    for (const [written, hashedAs] of [['1e999', null], ['1.0', 1], ['-0', 0], ['1E2', 100], ['0.10', 0.1]] as const) {
      const tampered = { ...record, evidence: { ...record.evidence, n: hashedAs } };
      tampered.hash = hashIncident(tampered);
      const canonical = JSON.stringify(tampered);
      // The canonical line verifies (the hash is right); the same value written otherwise does not.
      expect(await verifyJsonl([canonical])).toMatchObject({ ok: true });
      const line = canonical.replace(`"n":${JSON.stringify(hashedAs)}`, `"n":${written}`);
      expect(line, written).not.toBe(canonical);
      expect(broken(await verifyJsonl([line])), written).toEqual({ line: 1, reason: 'not-canonical' });
    }
  });

  it('rejects extra whitespace anywhere in a line, and in the header', async () => {
    const lines = await exported(2);
    for (const spaced of [` ${lines[1]}`, `${lines[1]} `, lines[1]!.replace('{"id":1,', '{"id":1, '), lines[1]!.replace('"ts":', '"ts" :'), `${lines[1]}\t`]) {
      expect(broken(await verifyJsonl([lines[0]!, spaced, lines[2]!])), JSON.stringify(spaced)).toEqual({ line: 2, reason: 'not-canonical' });
    }
    expect(broken(await verifyJsonl([lines[0]!.replace('{"tapguardExport":1', '{ "tapguardExport":1'), ...lines.slice(1)]))).toEqual({ line: 1, reason: 'not-canonical' });
    expect(broken(await verifyJsonl([lines[0]!, '   ', lines[1]!]))).toEqual({ line: 2, reason: 'bad-json' });
  });

  it('rejects escapes written another way than JSON.stringify writes them', async () => {
    const lines = await exported(2);
    expect(lines[1]).toContain('quote \\" comma');
    const escaped = lines[1]!.replace('"rule":"script.new-origin"', '"rule":"script.new\\u002dorigin"');
    expect(broken(await verifyJsonl([lines[0]!, escaped, lines[2]!]))).toEqual({ line: 2, reason: 'not-canonical' });
  });

  it('still accepts every line of a real export, including unicode, quotes and line breaks in evidence', async () => {
    db = freshDb();
    await seed(db, 40, { varied: true });
    await db.incidents.toCollection().modify((r) => void (r.evidence = { ...r.evidence, odd: '\u2028 \ud83d\ude00 \u0000 </script>', big: 1e21, neg: -1.5 }));
    // Rehash the modified rows so the chain is intact again.
    let prev = GENESIS_HASH;
    for (const r of await db.incidents.orderBy(':id').toArray()) {
      r.prevHash = prev;
      r.hash = hashIncident(r);
      prev = r.hash;
      await db.incidents.put(r);
    }
    const text = await collect(exportJsonl(db, META));
    expect(await verifyJsonl(linesOf(text))).toMatchObject({ ok: true, count: 40, holes: 0 });
  });

  it('rejects a line over the length cap and streams no more than the cap of it', async () => {
    const lines = await exported(1);
    const long = `{"x":"${'a'.repeat(MAX_LINE_CHARS)}"}`;
    expect(broken(await verifyJsonl([lines[0]!, long]))).toEqual({ line: 2, reason: 'too-long' });
    const small = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(100)));
        controller.enqueue(new TextEncoder().encode('\nnever read'));
        controller.close();
      },
    });
    const yielded: string[] = [];
    for await (const line of streamLines(small, 250)) yielded.push(line);
    expect(yielded.map((l) => l.length)).toEqual([300]);
  });

  it('verifies a long line in time linear in its length', async () => {
    // 200 KB and 1.6 MB of evidence: the second must not cost ~64 times the first (it did: the
    // log page re-split everything it had buffered at every chunk). Counted in chunks read, not time.
    const lines = await exported(1);
    const record = JSON.parse(lines[1]!);
    for (const size of [200_000, 1_600_000]) {
      const big = { ...record, evidence: { blob: 'x'.repeat(size) } };
      big.hash = hashIncident(big);
      const bytes = new TextEncoder().encode(`${JSON.stringify(big)}\n`);
      let scanned = 0;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.slice(i, i + 65_536));
          controller.close();
        },
      });
      // Count the characters every line search looks at (indexOf from its start, split: all).
      const { indexOf, split } = String.prototype;
      String.prototype.indexOf = function (this: string, ...args: Parameters<string['indexOf']>) {
        scanned += this.length - (args[1] ?? 0);
        return indexOf.apply(this, args);
      };
      String.prototype.split = function (this: string, ...args: Parameters<string['split']>) {
        scanned += this.length;
        return split.apply(this, args as never) as string[];
      } as typeof split;
      try {
        expect(await verifyJsonl(streamLines(stream))).toMatchObject({ ok: true, count: 1 });
      } finally {
        String.prototype.indexOf = indexOf;
        String.prototype.split = split;
      }
      expect(scanned).toBeLessThan(bytes.length * 2);
    }
  });
});

describe('verifyJsonl: holes retention leaves', () => {
  async function withHole() {
    db = freshDb();
    await seed(db, 8, { varied: true }); // rotation: high, critical, critical, low, high, critical, critical, low
    await db.incidents.bulkDelete([4]);
    const text = await collect(exportJsonl(db, META));
    return text.trimEnd().split('\n');
  }

  it('exports a line for each hole and verifies across it, counting what is missing', async () => {
    const lines = await withHole();
    expect(lines[4]).toBe('{"tapguardRemoved":{"afterId":3,"nextId":5}}');
    const result = await verifyJsonl(lines);
    expect(result).toMatchObject({ ok: true, count: 7, holes: 1, removedIds: 1, startsAtGenesis: true });
    expect(isPartialChain(result)).toBe(true);
  });

  it('accepts no missing link without such a line, and no such line where the link is intact', async () => {
    const lines = await withHole();
    expect(broken(await verifyJsonl(lines.filter((l) => !l.startsWith('{"tapguardRemoved"'))))).toMatchObject({ line: 5, reason: 'prev-hash-mismatch' });
    const intact = await exported(4);
    const claimed = [...intact.slice(0, 3), removedLine(2, 3), ...intact.slice(3)];
    expect(broken(await verifyJsonl(claimed))).toMatchObject({ reason: 'bad-removed' });
  });

  it('rejects a hole line that names other records, stands first, repeats or ends the file', async () => {
    const lines = await withHole();
    const at = lines.findIndex((l) => l.startsWith('{"tapguardRemoved"'));
    const variants = [
      [...lines.slice(0, at), removedLine(2, 5), ...lines.slice(at + 1)],
      [...lines.slice(0, at), removedLine(3, 6), ...lines.slice(at + 1)],
      [...lines.slice(0, at), lines[at]!, lines[at]!, ...lines.slice(at + 1)],
      [...lines.slice(0, at), '{"tapguardRemoved":{"afterId":3,"nextId":5,"x":1}}', ...lines.slice(at + 1)],
      [lines[0]!, removedLine(0, 2), ...lines.slice(1)],
      [...lines.slice(0, at + 1)],
    ];
    for (const variant of variants) expect((await verifyJsonl(variant)).ok).toBe(false);
  });

  const broken = (result: JsonlCheck) => (result.ok ? undefined : { line: result.line, reason: result.reason });
});

describe('CSV export', () => {
  it('quotes fields as RFC 4180 says and keeps evidence as JSON text', async () => {
    db = freshDb();
    await seed(db, 3);
    const recorder = (await import('@/lib/store/incidents')).createRecorder(db, { browser: 'x' });
    await recorder.record([finding(0)]); // a repeat of the first incident
    const text = await collect(exportCsv(db, { pageSize: 2 }));
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(JSON.parse(rows[1]![col('evidence')]!)).toEqual(finding(0).evidence);
    expect(rows[1]![col('repeats')]).toBe('2');
    expect(rows[2]![col('repeats')]).toBe('1');
    expect(rows[1]![col('time')]).toBe('2026-01-01T00:00:00.000Z');
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    // Every plain column holds the stored field of the same name.
    const stored = (await db.incidents.orderBy(':id').toArray())[0]!;
    for (const name of ['id', 'ts', 'kind', 'rule', 'severity', 'host', 'url', 'browser', 'title', 'advice', 'dedupeKey', 'prevHash', 'hash'] as const) {
      expect(rows[1]![col(name)], name).toBe(String(stored[name]));
    }
  });

  it('defuses spreadsheet formulas and quotes only when needed', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1+1')).toBe("'-1+1");
    expect(csvField(-1)).toBe('-1');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(null)).toBe('');
  });
});

describe('prefetched', () => {
  it('yields the same items in order, asking for the next one before the consumer is done', async () => {
    const asked: number[] = [];
    async function* source() {
      for (let i = 0; i < 3; i++) {
        asked.push(i);
        yield i;
      }
    }
    const seen: Array<[number, number[]]> = [];
    for await (const item of prefetched(source())) seen.push([item, [...asked]]);
    expect(seen).toEqual([
      [0, [0, 1]],
      [1, [0, 1, 2]],
      [2, [0, 1, 2]],
    ]);
  });

  it('passes on a failed read at its turn', async () => {
    async function* source() {
      yield 1;
      throw new Error('read failed');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of prefetched(source())) seen.push(item);
      })(),
    ).rejects.toThrow('read failed');
    expect(seen).toEqual([1]);
  });
});

describe('the verifier without the database', () => {
  it('starts the chain where the recorder does', async () => {
    const { VERIFIER_GENESIS_HASH } = await import('@/lib/store/verify');
    const { GENESIS_HASH } = await import('@/lib/store/incidents');
    expect(VERIFIER_GENESIS_HASH).toBe(GENESIS_HASH);
  });
});
