/**
 * The extension's MV3 service worker in Chromium, observed through a CDP session of its own:
 *
 * - memory: its used JS heap (`Runtime.getHeapUsage`) at start, then while the lab drives an
 *   "hour" of mail reading through it, before and after a forced garbage collection;
 * - webRequest cost: the V8 sampling profiler (100 µs) on the worker while a page of 200
 *   same-origin requests loads, so every millisecond of JavaScript the worker spent on that page
 *   (its webRequest listeners, the content script's messages, the judging and the writes) is
 *   counted, and divided by the requests the page made.
 *
 * An attached DevTools session keeps the worker alive (Chrome does not stop it when idle), which
 * is what "after an hour of activity" needs: memory that a restart would have released is not
 * hidden by one.
 */
import type { CDPSession } from 'puppeteer-core';
import type { Lab } from '../lab/server';
import type { Session } from '../tests/e2e/browsers';
import { splitProfile, type ProfileSplit } from './content-script';
import { launchWithExtension, loadOnce, sleep, timedGoto } from './browsers';
import { summarise, type Summary } from './stats';

async function attachWorker(session: Session): Promise<CDPSession> {
  const root = await session.browser.target().createCDPSession();
  const { targetInfos } = (await root.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
  const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`${session.extensionOrigin}/`));
  if (!worker) throw new Error('no service worker');
  const { sessionId } = (await root.send('Target.attachToTarget', { targetId: worker.targetId, flatten: true })) as { sessionId: string };
  const cdp = root.connection()!.session(sessionId)!;
  await cdp.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
  await cdp.send('HeapProfiler.enable');
  return cdp;
}

const heapMb = async (cdp: CDPSession, collect: boolean) => {
  if (collect) await cdp.send('HeapProfiler.collectGarbage');
  return ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize / 1024 / 1024;
};

/** One "hour" of webmail: a page every 10 s, each page kind in turn; every sixth causes findings. */
const ROTATION = [
  '/?_task=mail',
  '/?_task=mail&_mbox=INBOX&_uid=101&_action=show',
  '/?_task=mail&_action=compose',
  '/heavy?nodes=2000&requests=60',
  '/',
  '/hostile/stream?n=5&ms=20&run=',
];

export interface MemoryResult {
  loads: number;
  incidentsRecorded: number;
  startMb: number;
  startAfterGcMb: number;
  endMb: number;
  endAfterGcMb: number;
  /** After-GC heap every 60 loads: flat means nothing accumulates. */
  trajectoryAfterGcMb: number[];
}

export async function benchWorkerMemory(lab: Lab, loads: number, log: (line: string) => void): Promise<MemoryResult> {
  const session = await launchWithExtension(lab, 'chromium');
  try {
    const cdp = await attachWorker(session);
    await sleep(1000);
    const startMb = await heapMb(cdp, false);
    const startAfterGcMb = await heapMb(cdp, true);
    const countIncidents = async () => {
      const page = await session.openExtensionPage('/tapguard-e2e-probe.html');
      try {
        return (await page.evaluate(`new Promise((resolve) => { const r = indexedDB.open('tapguard'); r.onsuccess = () => { const c = r.result.transaction('incidents').objectStore('incidents').count(); c.onsuccess = () => { resolve(c.result); r.result.close(); }; }; })`)) as number;
      } finally {
        await page.close();
      }
    };
    const incidentsBefore = await countIncidents();
    const trajectory: number[] = [];
    // Two tabs at a time, as a user with mail and chat open would have.
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= loads) return;
        const path = ROTATION[i % ROTATION.length]!;
        const page = await session.browser.newPage();
        try {
          await page.goto(lab.url('mail', path.endsWith('run=') ? `${path}m${i}` : path), { waitUntil: 'load', timeout: 60_000 });
          // Findings wait up to 500 ms in the content script's batch: stay until they are sent.
          if (path.startsWith('/hostile/')) await page.waitForSelector('html[data-lab-done]', { timeout: 30_000 });
          await sleep(path.startsWith('/hostile/') ? 900 : 150);
        } finally {
          await page.close().catch(() => undefined);
        }
        if ((i + 1) % 60 === 0) {
          trajectory.push(await heapMb(cdp, true));
          log(`worker heap after ${i + 1} loads: ${trajectory.at(-1)!.toFixed(1)} MB after GC`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    await sleep(2000);
    const endMb = await heapMb(cdp, false);
    const endAfterGcMb = await heapMb(cdp, true);
    const incidentsRecorded = (await countIncidents()) - incidentsBefore;
    return { loads, incidentsRecorded, startMb, startAfterGcMb, endMb, endAfterGcMb, trajectoryAfterGcMb: trajectory };
  } finally {
    await session.close();
  }
}

export interface WebRequestResult {
  page: string;
  loads: number;
  requestsPerLoad: number;
  /** Worker JS per page load (ms), and per request (µs), from the profile. */
  perLoadMs: Summary;
  perRequestUs: number;
  split: ProfileSplit;
}

export async function benchWebRequestCost(lab: Lab, loads: number, log: (line: string) => void): Promise<WebRequestResult> {
  const page = '/heavy?nodes=1000&requests=200';
  const session = await launchWithExtension(lab, 'chromium');
  try {
    for (let i = 0; i < 3; i++) await loadOnce(session, lab.url('mail', page));
    const cdp = await attachWorker(session);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    const perLoad: number[] = [];
    let requests = 0;
    const total: ProfileSplit = { extensionMs: 0, pageJsMs: 0, gcMs: 0, programMs: 0, busyMs: 0 };
    for (let i = 0; i < loads; i++) {
      const tab = await session.browser.newPage();
      await cdp.send('Profiler.start');
      const timing = await timedGoto(tab, lab.url('mail', page));
      // The content script reports 500 ms after load; its message is the worker's last work for the page.
      await sleep(1500);
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: Parameters<typeof splitProfile>[0] };
      await tab.close();
      // Everything the worker does is tapguard's: busy time = its JS, GC and native work.
      const split = splitProfile(profile, session.extensionOrigin!);
      for (const key of ['extensionMs', 'pageJsMs', 'gcMs', 'programMs', 'busyMs'] as const) total[key] += split[key];
      perLoad.push(split.busyMs);
      requests = timing.resources + 1;
    }
    const perLoadMs = summarise(perLoad);
    const result = { page, loads, requestsPerLoad: requests, perLoadMs, perRequestUs: (perLoadMs.median / requests) * 1000, split: total };
    log(`worker busy per load of ${page}: ${perLoadMs.median.toFixed(2)} ms for ${requests} requests = ${result.perRequestUs.toFixed(1)} µs per request`);
    return result;
  } finally {
    await session.close();
  }
}
