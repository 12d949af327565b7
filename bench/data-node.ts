/**
 * `tsx bench/data-node.ts`: the recorder's ingest rate in Node with fake-indexeddb (an in-memory
 * IndexedDB written in JavaScript; real browsers differ, see the in-browser figures). Run as a
 * child of bench/run.ts, so fake-indexeddb's globals stay out of the browser-driving process.
 * Prints one JSON line.
 */
import 'fake-indexeddb/auto';
import { openDb } from '../lib/db';
import { createRecorder } from '../lib/incidents';
import type { Finding } from '../lib/types';

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

const results = [await ingest(5_000, 1), await ingest(20_000, 50)];
console.log(JSON.stringify(results));
