/**
 * `npx tsx scripts/bench-export.ts [count]`: time and memory of exporting and verifying a large log,
 * in Node with fake-indexeddb (an in-memory IndexedDB, slower than a browser's). Not part of the tests.
 */
import 'fake-indexeddb/auto';
import { openDb } from '../lib/store/db';
import { exportCsv, exportJsonl, linesOf, verifyJsonl } from '../lib/store/export';
import { GENESIS_HASH, toIncident } from '../lib/store/incidents';
import type { Incident, RuleId } from '../lib/core/types';

const count = Number(process.argv[2] ?? 100_000);
const rules: RuleId[] = ['script.new-origin', 'tls.http-page', 'cert.untrusted-root', 'tls.mixed-content'];
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 20);

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  peakRss = 0;
  peakHeap = 0;
  const start = performance.now();
  const result = await run();
  sample();
  console.log(
    `${label}: ${((performance.now() - start) / 1000).toFixed(1)} s, peak RSS ${mb(peakRss)}, peak heap ${mb(peakHeap)} (+${mb(peakHeap - before)} over the ${mb(before)} before)`,
  );
  return result;
}

const db = openDb(`bench-${Date.now()}`);
await timed(`seed ${count} chained incidents`, async () => {
  let prev = GENESIS_HASH;
  for (let i = 0; i < count; i += 5000) {
    const batch: Incident[] = [];
    for (let j = i; j < Math.min(count, i + 5000); j++) {
      const rule = rules[j % rules.length]!;
      const incident = toIncident(
        { rule, severity: 'high', host: `mail${j % 50}.example.org`, url: `https://mail${j % 50}.example.org/inbox`, evidence: { scriptOrigin: `https://cdn${j}.example`, sha256: 'ab'.repeat(32) }, dedupeParts: [String(j)] },
        Date.UTC(2026, 0, 1) + j * 60_000,
        'Firefox/140.0',
        prev,
      );
      prev = incident.hash;
      batch.push(incident);
    }
    await db.incidents.bulkAdd(batch);
  }
});

const meta = { tapguardVersion: '0.1.0', browser: 'Firefox/140.0', checks: [], exportedAt: new Date().toISOString() };
// What the page does: keep the chunks (as Blob parts), never the records.
const chunks = await timed('export JSONL (chunks kept)', async () => {
  const parts: string[] = [];
  for await (const chunk of exportJsonl(db, meta)) parts.push(chunk);
  return parts;
});
const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
console.log(`  ${chunks.length} chunks, ${mb(bytes)} of JSONL`);
await timed('export CSV (chunks counted, not kept)', async () => {
  let n = 0;
  for await (const chunk of exportCsv(db)) n += chunk.length;
  return n;
});
const result = await timed('verify JSONL', () =>
  verifyJsonl(
    (function* () {
      for (const chunk of chunks) yield* linesOf(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk);
    })(),
  ),
);
console.log(' ', JSON.stringify({ ok: result.ok, count: result.count }));
clearInterval(sampler);
await db.delete();
