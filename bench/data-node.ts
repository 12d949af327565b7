/**
 * `tsx bench/data-node.ts`: the recorder's ingest rate in Node with fake-indexeddb (an in-memory
 * IndexedDB written in JavaScript; real browsers differ, see the in-browser figures). Run as a
 * child of bench/run.ts, so fake-indexeddb's globals stay out of the browser-driving process.
 * Prints two JSON lines: the verifier's time for one 8 MB line, then the ingest rates (last).
 * `--verify-only` runs the first alone.
 */
import 'fake-indexeddb/auto';
import { openDb } from '../lib/store/db';
import { streamLines, verifyJsonl } from '../lib/store/export';
import { createRecorder, GENESIS_HASH, hashIncident } from '../lib/store/incidents';
import type { Finding } from '../lib/core/types';

const finding = (i: number): Finding => ({
  rule: 'script.new-origin',
  severity: 'high',
  host: 'mail.example.org',
  url: `https://mail.example.org/?_task=mail&_uid=${i}`,
  evidence: { scriptUrl: `https://cdn${i}.example/app.js`, scriptOrigin: `https://cdn${i}.example`, knownOrigins: ['https://mail.example.org'], baselineVisits: 12 },
  dedupeParts: [String(i)],
});

async function ingest(count: number, batch: number) {
  const db = openDb(`bench-node-${batch}-${Date.now()}`);
  const recorder = createRecorder(db, { browser: 'Node/bench', retention: async () => ({ retentionDays: 3650, maxIncidents: 1e9 }) });
  const findings = Array.from({ length: count }, (_, i) => finding(i));
  let start = performance.now();
  for (let i = 0; i < count; i += batch) await recorder.record(findings.slice(i, i + batch));
  const newMs = performance.now() - start;
  start = performance.now();
  for (let i = 0; i < count; i += batch) await recorder.record(findings.slice(i, i + batch));
  const repeatMs = performance.now() - start;
  await db.delete();
  return { count, batch, newPerSecond: count / (newMs / 1000), repeatPerSecond: count / (repeatMs / 1000) };
}

/**
 * One 8 MB record line verified as the log page does it (a Blob's stream through streamLines and
 * verifyJsonl): split, parse, canonical check and hash. Target: under 200 ms (issue 15; it took
 * about 2 s when the line splitter re-scanned its buffer at every chunk).
 */
async function verifyLongLine(bytes = 8 * 1024 * 1024, runs = 7) {
  const base = { ts: Date.UTC(2026, 0, 1), kind: 'script', rule: 'script.new-inline', severity: 'medium', host: 'mail.example.org', url: 'https://mail.example.org/', browser: 'Node/bench', title: 't', advice: 'a', dedupeKey: 'k', prevHash: GENESIS_HASH };
  const record: Record<string, unknown> = { ...base, evidence: { blob: '' } };
  const overhead = JSON.stringify({ id: 1, ...record, hash: '0'.repeat(64) }).length;
  record.evidence = { blob: 'x'.repeat(bytes - overhead) };
  const line = JSON.stringify({ id: 1, ...record, hash: hashIncident(record as { prevHash: string }) });
  const file = new Blob([`${line}\n`]);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const result = await verifyJsonl(streamLines(file.stream()));
    const used = process.cpuUsage(cpu);
    times.push(performance.now() - start);
    // CPU time of this process as well: on a shared machine the wall time includes waiting for a core.
    cpuTimes.push((used.user + used.system) / 1000);
    if (!result.ok) throw new Error(`the bench line did not verify: ${result.message}`);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  return { lineBytes: line.length, runs, medianMs: median(times), maxMs: Math.max(...times), medianCpuMs: median(cpuTimes), targetMs: 200 };
}

console.log(JSON.stringify({ verifyLongLine: await verifyLongLine() }));
if (!process.argv.includes('--verify-only')) {
  const results = [await ingest(5_000, 1), await ingest(20_000, 50)];
  console.log(JSON.stringify(results));
}
