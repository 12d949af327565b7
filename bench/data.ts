/**
 * Data layer, in Chromium on the browser's own IndexedDB (tapguard's code bundled from lib/ and
 * run in one of the extension's pages), and in Node with fake-indexeddb (child processes):
 *
 * - ingest: findings through the recorder (dedupe, wording, sha256 chain), new and repeated;
 * - popup first render: popup.html for a tab on the lab inbox, from navigation start to
 *   `main[data-ready="true"]`, with the log as the lab leaves it and with 100,000 more incidents;
 * - export: the streamed JSONL and CSV export of those 100,000+ incidents, with the page's peak
 *   JS heap sampled every 20 ms through CDP (`Runtime.getHeapUsage`), and the log page's own
 *   export button end to end.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CDPSession, Page } from 'puppeteer-core';
import type { Lab } from '../lab/server';
import { PROBE_PAGE, type Session } from '../tests/e2e/browsers';
import { launchWithExtension, sleep } from './browsers';
import { summarise, type Summary } from './stats';

const run = promisify(execFile);
export const SEEDED = 100_000;

async function harnessSource(): Promise<string> {
  // esbuild comes with WXT (the project's build tool depends on it directly).
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.resolve('bench/inpage/data-harness.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    alias: { '@': path.resolve('.') },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Samples a page's used JS heap until stopped; returns the peak and the level before. */
function heapSampler(cdp: CDPSession) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      peak = Math.max(peak, usedSize);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function usedHeap(cdp: CDPSession, collect = true): Promise<number> {
  if (collect) await cdp.send('HeapProfiler.collectGarbage');
  return ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
}

const READY_HOOK = `(() => {
  const obs = new MutationObserver(() => {
    if (window.__tgReadyAt === undefined && document.querySelector('main[data-ready="true"]')) {
      window.__tgReadyAt = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
})()`;

async function popupFirstRender(session: Session, tabId: number): Promise<{ ms: number; shown: number }> {
  const page = await session.browser.newPage();
  try {
    await page.evaluateOnNewDocument(READY_HOOK);
    await page.goto(`${session.extensionOrigin}/popup.html?tab=${tabId}`, { waitUntil: 'load' });
    await page.waitForFunction('window.__tgReadyAt !== undefined', { timeout: 60_000, polling: 50 });
    const json = (await page.evaluate(`JSON.stringify({ ms: window.__tgReadyAt, shown: document.querySelectorAll('.incident').length, error: document.querySelector('.error')?.textContent ?? null })`)) as string;
    const result = JSON.parse(json) as { ms: number; shown: number; error: string | null };
    if (result.error) throw new Error(`popup error: ${result.error}`);
    return result;
  } finally {
    await page.close();
  }
}

async function popupSeries(session: Session, tabId: number, runs: number): Promise<{ ms: Summary; shown: number }> {
  await popupFirstRender(session, tabId); // warm-up, discarded
  const samples: number[] = [];
  let shown = 0;
  for (let i = 0; i < runs; i++) {
    const r = await popupFirstRender(session, tabId);
    samples.push(r.ms);
    shown = r.shown;
  }
  return { ms: summarise(samples), shown };
}

export interface DataResult {
  node: {
    ingest: { count: number; batch: number; newPerSecond: number; repeatPerSecond: number }[];
    /** scripts/bench-export.ts output, verbatim. */
    exportReport: string;
  };
  browser: {
    ingest: { variant: string; count: number; batch: number; newPerSecond: number; repeatPerSecond: number }[];
    seeded: number;
    seedMs: number;
    recordsAfterSeed: number;
    popup: { before: { ms: Summary; shown: number; records: number }; after: { ms: Summary; shown: number; records: number } };
    /** The popup's queries timed one by one with the seeded log (ms). */
    popupQueries: Record<string, number>;
    /** toIncident (wording, sanitising, canonical JSON, sha256) alone, per second. */
    hashPerSecond: number;
    export: Record<'jsonl' | 'csv', { ms: number; bytes: number; chunks: number; peakHeapMb: number; heapBeforeMb: number }>;
    /** The JSONL export when only the first half was seeded. */
    exportHalf: { records: number; ms: number; bytes: number; chunks: number; peakHeapMb: number; heapBeforeMb: number };
    readAll: { ms: number; records: number; peakHeapMb: number; heapBeforeMb: number };
    logPageExport: { ms: number; peakHeapMb: number; heapBeforeMb: number; status: string };
  };
}

export async function benchData(lab: Lab, runs: number, log: (line: string) => void): Promise<DataResult> {
  const { stdout: ingestOut } = await run('npx', ['tsx', 'bench/data-node.ts'], { maxBuffer: 1 << 20 });
  const nodeIngest = JSON.parse(ingestOut.trim().split('\n').at(-1)!) as DataResult['node']['ingest'];
  const verifyLine = JSON.parse(ingestOut.trim().split('\n').at(-2)!) as { verifyLongLine: { lineBytes: number; medianMs: number; maxMs: number } };
  log(`node verify of one ${(verifyLine.verifyLongLine.lineBytes / 2 ** 20).toFixed(0)} MB line: median ${verifyLine.verifyLongLine.medianMs.toFixed(0)} ms (target < 200 ms)`);
  log(`node ingest: ${nodeIngest.map((r) => `batch ${r.batch}: ${r.newPerSecond.toFixed(0)}/s new, ${r.repeatPerSecond.toFixed(0)}/s repeats`).join('; ')}`);
  const { stdout: exportReport } = await run('node', ['--expose-gc', '--import', 'tsx', 'scripts/bench-export.ts', String(SEEDED)], { maxBuffer: 1 << 20 });
  log(`node export (scripts/bench-export.ts):\n${exportReport.trim()}`);

  const session = await launchWithExtension(lab, 'chromium');
  try {
    const mb = (bytes: number) => bytes / 1024 / 1024;
    const harness = await session.openExtensionPage(PROBE_PAGE);
    await harness.evaluate(await harnessSource());
    const cdp = await harness.createCDPSession();
    await cdp.send('HeapProfiler.enable');
    const call = async <T>(expression: string): Promise<T> => JSON.parse((await harness.evaluate(`(async () => JSON.stringify(await ${expression}))()`)) as string) as T;

    // A tab on the lab inbox, for the popup to judge, and a few ordinary visits for a real log.
    const mail: Page = await session.browser.newPage();
    for (const p of ['/', '/?_task=mail', '/?_task=mail']) await mail.goto(lab.url('mail', p), { waitUntil: 'load' });
    await sleep(1500);
    const tabId = (await harness.evaluate(`chrome.tabs.query({}).then((tabs) => tabs.find((t) => (t.url || '').includes('_task=mail')).id)`)) as number;

    const recordsBefore = await call<number>('tapguardBench.count()');
    const popupBefore = { ...(await popupSeries(session, tabId, runs)), records: recordsBefore };
    log(`popup with ${recordsBefore} records: ${popupBefore.ms.median.toFixed(1)} ms`);

    const measured = async <T>(expression: string) => {
      const heapBefore = await usedHeap(cdp);
      const sampler = heapSampler(cdp);
      const value = await call<T>(expression);
      const peak = await sampler.stop();
      return { value, peakHeapMb: mb(peak), heapBeforeMb: mb(heapBefore) };
    };
    // Seeded in two halves, with an export after the first: a bounded export's peak heap does
    // not grow with the log.
    const mainHost = JSON.stringify(new URL(lab.url('mail')).hostname);
    const seed1 = await call<{ ms: number }>(`tapguardBench.seed(${SEEDED / 2}, ${mainHost})`);
    const half = await measured<{ ms: number; bytes: number; chunks: number }>(`tapguardBench.export('jsonl')`);
    const exportHalf = { records: await call<number>('tapguardBench.count()'), ...half.value, peakHeapMb: half.peakHeapMb, heapBeforeMb: half.heapBeforeMb };
    log(`browser export jsonl of ${exportHalf.records}: ${(half.value.ms / 1000).toFixed(2)} s, peak heap ${half.peakHeapMb.toFixed(1)} MB`);
    const seed2 = await call<{ ms: number }>(`tapguardBench.seed(${SEEDED / 2}, ${mainHost})`);
    const seed = { ms: seed1.ms + seed2.ms };
    const recordsAfterSeed = await call<number>('tapguardBench.count()');
    log(`seeded ${SEEDED} incidents in ${(seed.ms / 1000).toFixed(1)} s`);
    const popupAfter = { ...(await popupSeries(session, tabId, runs)), records: recordsAfterSeed };
    log(`popup with ${recordsAfterSeed} records: ${popupAfter.ms.median.toFixed(1)} ms`);
    const popupQueries = await call<Record<string, number>>(`tapguardBench.popupQueries(${JSON.stringify(new URL(lab.url('mail')).hostname)})`);
    log(`popup queries with ${recordsAfterSeed} records: ${JSON.stringify(popupQueries)}`);
    const hashRate = await call<{ perSecond: number }>('tapguardBench.hashRate(20000)');
    log(`toIncident alone: ${hashRate.perSecond.toFixed(0)}/s`);

    const ingest: DataResult['browser']['ingest'] = [];
    const variants = [
      { variant: 'recorder', options: {} },
      { variant: 'recorder, all calls in flight at once', options: { concurrent: true } },
      { variant: 'recorder, relaxed durability', options: { relaxed: true } },
      { variant: 'bulk prototype', options: { prototype: true } },
      { variant: 'bulk prototype, relaxed durability', options: { prototype: true, relaxed: true } },
    ];
    for (const { variant, options } of variants) {
      for (const [count, batch] of [
        [2_000, 1],
        [10_000, 50],
      ] as const) {
        const r = await call<{ newMs: number; repeatMs: number }>(`tapguardBench.ingest(${count}, ${batch}, ${JSON.stringify(options)})`);
        ingest.push({ variant, count, batch, newPerSecond: count / (r.newMs / 1000), repeatPerSecond: count / (r.repeatMs / 1000) });
        log(`browser ingest, ${variant}, batch ${batch}: ${ingest.at(-1)!.newPerSecond.toFixed(0)}/s new, ${ingest.at(-1)!.repeatPerSecond.toFixed(0)}/s repeats`);
      }
    }

    const exports = {} as DataResult['browser']['export'];
    for (const format of ['jsonl', 'csv'] as const) {
      const r = await measured<{ ms: number; bytes: number; chunks: number }>(`tapguardBench.export('${format}')`);
      exports[format] = { ...r.value, peakHeapMb: r.peakHeapMb, heapBeforeMb: r.heapBeforeMb };
      log(`browser export ${format}: ${(r.value.ms / 1000).toFixed(2)} s, ${mb(r.value.bytes).toFixed(0)} MB, peak heap ${r.peakHeapMb.toFixed(1)} MB (before ${r.heapBeforeMb.toFixed(1)} MB)`);
    }
    const all = await measured<{ ms: number; records: number }>('tapguardBench.readAll()');
    const readAll = { ...all.value, peakHeapMb: all.peakHeapMb, heapBeforeMb: all.heapBeforeMb };
    log(`for contrast, reading all ${readAll.records} at once: ${readAll.ms.toFixed(0)} ms, peak heap ${readAll.peakHeapMb.toFixed(1)} MB`);

    // The log page's own export button, end to end.
    const logPage = await session.openExtensionPage('/incidents.html');
    await logPage.waitForSelector('main[data-ready="true"]', { timeout: 120_000 });
    const logCdp = await logPage.createCDPSession();
    await logCdp.send('HeapProfiler.enable');
    const heapBefore = await usedHeap(logCdp);
    const sampler = heapSampler(logCdp);
    const start = performance.now();
    await logPage.click('[data-action="export-jsonl"]');
    await logPage.waitForSelector('a[data-export="jsonl"]', { timeout: 120_000 });
    const ms = performance.now() - start;
    const peak = await sampler.stop();
    const status = (await logPage.$eval('.status-region', (e) => e.textContent ?? '')).trim();
    const logPageExport = { ms, peakHeapMb: mb(peak), heapBeforeMb: mb(heapBefore), status };
    log(`log page export button: ${(ms / 1000).toFixed(2)} s, peak heap ${logPageExport.peakHeapMb.toFixed(1)} MB (${status})`);

    return {
      node: { ingest: nodeIngest, exportReport: exportReport.trim() },
      browser: { ingest, seeded: SEEDED, seedMs: seed.ms, recordsAfterSeed, popup: { before: popupBefore, after: popupAfter }, popupQueries, hashPerSecond: hashRate.perSecond, exportHalf, export: exports, readAll, logPageExport },
    };
  } finally {
    await session.close();
  }
}
