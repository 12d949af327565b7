/**
 * Bundled by bench/data.ts and evaluated in one of the extension's own pages (Chromium), so the
 * data layer is measured on the browser's real IndexedDB with tapguard's own code (lib/store/db,
 * lib/store/incidents, lib/store/export), not a copy. Exposes `globalThis.tapguardBench`.
 */
import { openDb, DB_NAME } from '../../lib/store/db';
import { exportCsv, exportJsonl } from '../../lib/store/export';
import { createRecorder, dedupeKeyOf, GENESIS_HASH, toIncident } from '../../lib/store/incidents';
import type { Occurrence, TapguardDb } from '../../lib/store/db';
import { countIncidents, incidentsForHost, recountIncidents } from '../../lib/store/queries';
import type { Finding, Incident, RuleId, Severity } from '../../lib/core/types';

const RULES: Array<{ rule: RuleId; severity: Severity }> = [
  { rule: 'script.new-origin', severity: 'high' },
  { rule: 'tls.mixed-content', severity: 'low' },
  { rule: 'script.csp-violation', severity: 'medium' },
  { rule: 'cert.issuer-changed', severity: 'high' },
  { rule: 'tls.hsts-dropped', severity: 'medium' },
];

/** A finding the size of a real one: URL, origin, a hash and a short list in the evidence. */
function finding(i: number, host: string, tag: string): Finding {
  const { rule, severity } = RULES[i % RULES.length]!;
  return {
    rule,
    severity,
    host,
    url: `https://${host}/?_task=mail&_uid=${i}`,
    evidence: {
      scriptUrl: `https://cdn${i}.${tag}.example/static/app.${i}.js`,
      scriptOrigin: `https://cdn${i}.${tag}.example`,
      sha256: 'ab'.repeat(32),
      knownOrigins: [`https://${host}`, 'https://static.example.net'],
      baselineVisits: 12,
    },
    dedupeParts: [tag, String(i)],
  };
}

const now = () => performance.now();

/**
 * A measured prototype, not tapguard's recorder: the same records (dedupe key, wording, chain),
 * written with one bulkGet and two bulk writes per batch instead of three requests per finding.
 * It shows what batching the recorder's IndexedDB requests would gain (docs/benchmarks.md).
 */
function bulkRecorder(db: TapguardDb) {
  return {
    record: (findings: readonly Finding[]) =>
      db.transaction('rw', db.incidents, db.occurrences, async () => {
        let head = (await db.incidents.orderBy('id').last())?.hash ?? GENESIS_HASH;
        const keys = findings.map(dedupeKeyOf);
        const stored = await db.occurrences.bulkGet(keys);
        const ts = Date.now();
        const counts = new Map<string, Occurrence>();
        const fresh: Incident[] = [];
        findings.forEach((f, i) => {
          const key = keys[i]!;
          const known = counts.get(key) ?? stored[i];
          if (known) {
            counts.set(key, { ...known, count: known.count + 1, lastTs: ts });
            return;
          }
          const incident = toIncident(f, ts, 'Chrome/bench', head);
          head = incident.hash;
          fresh.push(incident);
          counts.set(key, { dedupeKey: key, incidentId: -1, host: f.host, count: 1, firstTs: ts, lastTs: ts });
        });
        const ids = (await db.incidents.bulkAdd(fresh, { allKeys: true })) as number[];
        fresh.forEach((incident, k) => (counts.get(incident.dedupeKey)!.incidentId = ids[k]!));
        await db.occurrences.bulkPut([...counts.values()]);
      }),
  };
}

const api = {
  /**
   * Appends `count` chained incidents (with their repeat counts) to tapguard's own database,
   * after whatever is there, in transactions of 2,000; every `hostEvery`-th goes to `mainHost`.
   */
  async seed(count: number, mainHost: string, hostEvery = 20): Promise<{ ms: number }> {
    const db = openDb(DB_NAME);
    const start = now();
    let head = (await db.incidents.orderBy('id').last())?.hash ?? GENESIS_HASH;
    // Numbered after what is there, so a second seeding has dedupe keys of its own.
    const offset = await db.incidents.count();
    const t0 = Date.now() - count * 1000;
    for (let i = offset; i < offset + count; i += 2000) {
      const incidents: Incident[] = [];
      for (let j = i; j < Math.min(offset + count, i + 2000); j++) {
        const host = j % hostEvery === 0 ? mainHost : `mail${j % 97}.example.org`;
        const incident = toIncident(finding(j, host, 'seed'), t0 + j * 1000, 'Chrome/bench', head);
        head = incident.hash;
        incidents.push(incident);
      }
      await db.transaction('rw', db.incidents, db.occurrences, async () => {
        const ids = (await db.incidents.bulkAdd(incidents, { allKeys: true })) as number[];
        const occurrences: Occurrence[] = incidents.map((incident, k) => ({
          dedupeKey: incident.dedupeKey,
          incidentId: ids[k]!,
          host: incident.host,
          count: 1,
          firstTs: incident.ts,
          lastTs: incident.ts,
        }));
        await db.occurrences.bulkAdd(occurrences);
      });
    }
    // Written around the recorder, so the running total is set from the rows, as an upgrade does.
    await recountIncidents(db);
    const ms = now() - start;
    db.close();
    return { ms };
  },

  /**
   * Findings through the recorder (dedupe, wording, sha256 chain) into a database of their own:
   * `count` new findings in record() calls of `batch`, then as many repeats of them. With
   * `prototype`, through the bulk writer below instead; with `relaxed`, in transactions of
   * relaxed durability (Chrome's IndexedDB then does not flush to disk before completing); with
   * `concurrent`, every call is made at once instead of each after the previous one returned, as
   * when many messages reach the background together.
   */
  async ingest(
    count: number,
    batch: number,
    options: { prototype?: boolean; relaxed?: boolean; concurrent?: boolean } = {},
  ): Promise<{ newMs: number; repeatMs: number }> {
    const name = `tapguard-bench-ingest-${batch}-${Date.now()}`;
    const db = openDb(name);
    if (options.relaxed) (db as unknown as { _options: { chromeTransactionDurability?: string } })._options.chromeTransactionDurability = 'relaxed';
    const recorder = options.prototype
      ? bulkRecorder(db)
      : createRecorder(db, { browser: 'Chrome/bench', retention: async () => ({ retentionDays: 3650, maxIncidents: 1e9 }) });
    const findings = Array.from({ length: count }, (_, i) => finding(i, 'mail.example.org', 'ingest'));
    const pass = async () => {
      const start = now();
      if (options.concurrent) {
        const calls: Promise<unknown>[] = [];
        for (let i = 0; i < count; i += batch) calls.push(recorder.record(findings.slice(i, i + batch)));
        await Promise.all(calls);
      } else {
        for (let i = 0; i < count; i += batch) await recorder.record(findings.slice(i, i + batch));
      }
      return now() - start;
    };
    const newMs = await pass();
    const repeatMs = await pass();
    db.close();
    await db.delete();
    return { newMs, repeatMs };
  },

  /**
   * The streamed JSONL or CSV export of tapguard's database, each chunk turned into a Blob at
   * once, as the log page does (entrypoints/incidents/exporting.ts).
   */
  async export(format: 'jsonl' | 'csv'): Promise<{ ms: number; bytes: number; chunks: number; blobBytes: number }> {
    const db = openDb(DB_NAME);
    const meta = { tapguardVersion: 'bench', browser: 'Chrome/bench', checks: [], exportedAt: new Date().toISOString() };
    const start = now();
    const parts: Blob[] = [];
    let bytes = 0;
    for await (const chunk of format === 'jsonl' ? exportJsonl(db, meta) : exportCsv(db)) {
      parts.push(new Blob([chunk]));
      bytes += chunk.length;
    }
    const blob = new Blob(parts, { type: 'text/plain' });
    const ms = now() - start;
    db.close();
    return { ms, bytes, chunks: parts.length, blobBytes: blob.size };
  },

  /** For contrast with the streamed export: every record read at once. */
  async readAll(): Promise<{ ms: number; records: number }> {
    const db = openDb(DB_NAME);
    const start = now();
    const records = (await db.incidents.toArray()).length;
    const ms = now() - start;
    db.close();
    return { ms, records };
  },

  /** Where the recorder's time goes: wording, sanitising and hashing alone, no storage. */
  hashRate(count: number): { perSecond: number } {
    const start = now();
    let prev = GENESIS_HASH;
    for (let i = 0; i < count; i++) prev = toIncident(finding(i, 'mail.example.org', 'hash'), i, 'Chrome/bench', prev).hash;
    return { perSecond: count / ((now() - start) / 1000) };
  },

  /** The popup's queries one by one (lib/store/queries.ts), and IndexedDB's own count for contrast. */
  async popupQueries(host: string): Promise<Record<string, number>> {
    const db = openDb(DB_NAME);
    const time = async (run: () => Promise<unknown>) => {
      const start = now();
      await run();
      return now() - start;
    };
    await db.open();
    const result = {
      countIncidents: await time(() => countIncidents(db)),
      nativeCount: await time(() => db.incidents.count()),
      incidentsForHost: await time(() => incidentsForHost(db, host, 20)),
    };
    db.close();
    return result;
  },

  async count(): Promise<number> {
    const db = openDb(DB_NAME);
    const n = await db.incidents.count();
    db.close();
    return n;
  },
};

(globalThis as unknown as { tapguardBench: typeof api }).tapguardBench = api;
export type DataHarness = typeof api;
