/**
 * Content-script main-thread cost in Chromium, two ways at once:
 *
 * 1. Attribution: the V8 sampling profiler (CDP `Profiler`, 100 µs) runs in the page's renderer;
 *    a sample counts as tapguard's when any frame of its stack lies in the extension's content
 *    script (isolated-world code keeps its chrome-extension:// URL). Promise continuations and
 *    MutationObserver callbacks are covered, since their frames are the script's own; garbage
 *    collection that tapguard's allocations cause is not (it shows as "(garbage collector)").
 * 2. Difference: CDP `Performance.getMetrics` ScriptDuration / TaskDuration of the renderer in
 *    the browser with tapguard minus the browser without, same page, interleaved runs.
 *
 * Windows, per run, on /heavy (5,000 elements): start-up = from navigation to load + 1.5 s (the
 * content script batches for 500 ms); idle = the next 3 s with nothing happening; storm = the page
 * inserting 10,000 elements (100 per task) plus 1 s for the last batch to be flushed.
 */
import type { CDPSession, Page } from 'puppeteer-core';
import { LAB_HOSTS, type Lab } from '../lab/server';
import { launch, type Session } from '../tests/e2e/browsers';
import { launchWithExtension, loadOnce, sleep } from './browsers';
import { median, summarise, type Summary } from './stats';

const PAGE = '/heavy?nodes=5000&requests=150';
const STORM_NODES = 10_000;

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSplit {
  extensionMs: number;
  pageJsMs: number;
  gcMs: number;
  programMs: number;
  busyMs: number;
  /** Samples with a tapguard frame, and the profile's median interval between samples. */
  extensionSamples?: number;
  medianIntervalMs?: number;
}

/** Splits a CPU profile's time into tapguard's content script, the page's JS, GC and native work. */
export function splitProfile(profile: Profile, extensionOrigin: string): ProfileSplit {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const kind = new Map<number, 'ext' | 'js' | 'gc' | 'program' | 'idle' | 'root'>();
  const classify = (id: number): 'ext' | 'js' | 'gc' | 'program' | 'idle' | 'root' => {
    const known = kind.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let k: 'ext' | 'js' | 'gc' | 'program' | 'idle' | 'root';
    if (node.callFrame.url.startsWith(extensionOrigin)) k = 'ext';
    else if (name === '(idle)') k = 'idle';
    else if (name === '(garbage collector)') k = 'gc';
    else if (name === '(program)') k = 'program';
    else if (name === '(root)') k = 'root';
    else {
      const up = parent.get(id);
      k = up !== undefined && classify(up) === 'ext' ? 'ext' : 'js';
    }
    kind.set(id, k);
    return k;
  };
  const split: ProfileSplit = { extensionMs: 0, pageJsMs: 0, gcMs: 0, programMs: 0, busyMs: 0, extensionSamples: 0 };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  split.medianIntervalMs = deltas.length ? median(deltas.map((d) => d / 1000)) : 0;
  for (let i = 0; i < samples.length; i++) {
    // Each delta is the time up to this sample: it goes to what the sample shows.
    const dt = (deltas[i] ?? 0) / 1000;
    const k = classify(samples[i]!);
    if (k === 'ext') {
      split.extensionMs += dt;
      split.extensionSamples!++;
    }
    else if (k === 'js') split.pageJsMs += dt;
    else if (k === 'gc') split.gcMs += dt;
    else if (k === 'program') split.programMs += dt;
    if (k !== 'idle' && k !== 'root') split.busyMs += dt;
  }
  return split;
}

type Metrics = Record<string, number>;
async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}
const deltaMs = (a: Metrics, b: Metrics, name: string) => ((b[name] ?? 0) - (a[name] ?? 0)) * 1000;

interface WindowSample {
  scriptMs: number;
  taskMs: number;
  profile: ProfileSplit;
}
/**
 * Start-up from a Chrome trace: every entry from the browser into tapguard's content script
 * (`EvaluateScript` of the script, `FunctionCall` of its listeners, observer callbacks and
 * timers, each carrying the script's URL) has an exact duration, wall (`dur`) and the main
 * thread's own CPU time (`tdur`, which leaves out time the thread waited for a core). The script
 * does its start-up work inside such entries, not in promise continuations, which a trace would
 * not attribute (lib/content/page-observer.ts).
 */
export interface TracedStartup {
  cpuMs: number;
  wallMs: number;
  entries: number;
}
/** A Chrome trace event, as far as the start-up figures read it (the experiments read the function too). */
export interface TraceEvent {
  name: string;
  ts: number;
  dur?: number;
  tdur?: number;
  tid: number;
  args?: { data?: { url?: string; functionName?: string; lineNumber?: number; columnNumber?: number } };
}

export function tracedStartup(events: readonly TraceEvent[], extensionOrigin: string): TracedStartup {
  const ours = events
    .filter((e) => (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && e.dur !== undefined && e.args?.data?.url?.startsWith(extensionOrigin))
    .sort((a, b) => a.ts - b.ts);
  // The previous document's pagehide listener runs before the new document's script is evaluated.
  const first = ours.findIndex((e) => e.name === 'EvaluateScript');
  const result: TracedStartup = { cpuMs: 0, wallMs: 0, entries: 0 };
  const endByThread = new Map<number, number>();
  for (const e of first < 0 ? [] : ours.slice(first)) {
    if (e.ts < (endByThread.get(e.tid) ?? -Infinity)) continue; // nested in one already counted
    endByThread.set(e.tid, e.ts + e.dur!);
    result.wallMs += e.dur! / 1000;
    result.cpuMs += (e.tdur ?? e.dur!) / 1000;
    result.entries++;
  }
  return result;
}

export async function traceStartup(session: Session, lab: Lab, origin: string): Promise<TracedStartup> {
  const page: Page = await session.browser.newPage();
  try {
    await page.goto(lab.url('mail', '/heavy/app.js'), { waitUntil: 'load' });
    await page.tracing.start({ categories: ['devtools.timeline'] });
    await page.goto(lab.url('mail', PAGE), { waitUntil: 'load', timeout: 60_000 });
    await sleep(1500);
    const buffer = await page.tracing.stop();
    const { traceEvents } = JSON.parse(Buffer.from(buffer!).toString('utf8')) as { traceEvents: TraceEvent[] };
    return tracedStartup(traceEvents, origin);
  } finally {
    await page.close().catch(() => undefined);
  }
}

interface RunSample {
  startup: WindowSample;
  idle: WindowSample;
  storm: WindowSample;
}

async function profiled(cdp: CDPSession, origin: string, during: () => Promise<void>): Promise<WindowSample> {
  const before = await metrics(cdp);
  await cdp.send('Profiler.start');
  await during();
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
  const after = await metrics(cdp);
  return { scriptMs: deltaMs(before, after, 'ScriptDuration'), taskMs: deltaMs(before, after, 'TaskDuration'), profile: splitProfile(profile, origin) };
}

async function runOnce(session: Session, lab: Lab, origin: string): Promise<RunSample> {
  const page: Page = await session.browser.newPage();
  try {
    // A same-site document first, so that the measured navigation stays in this renderer.
    await page.goto(lab.url('mail', '/heavy/app.js'), { waitUntil: 'load' });
    const cdp = await page.createCDPSession();
    await cdp.send('Performance.enable');
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    const startup = await profiled(cdp, origin, async () => {
      await page.goto(lab.url('mail', PAGE), { waitUntil: 'load', timeout: 60_000 });
      await sleep(1500);
    });
    const idle = await profiled(cdp, origin, () => sleep(3000));
    const storm = await profiled(cdp, origin, async () => {
      await page.evaluate(`window.labStorm(${STORM_NODES})`);
      await sleep(1000);
    });
    await cdp.detach();
    return { startup, idle, storm };
  } finally {
    await page.close().catch(() => undefined);
  }
}

export interface ContentScriptResult {
  runs: number;
  page: string;
  stormNodes: number;
  /** Start-up from traces (judged): the script's main-thread CPU time, and its wall time. */
  traced?: { cpuMs: Summary; wallMs: Summary; entries: Summary };
  /** Per window: tapguard's attributed time (with extension), and the metric differences. */
  windows: Record<
    'startup' | 'idle' | 'storm',
    {
      extensionMs: Summary;
      /**
       * The same samples counted, each worth the profile's median interval: robust against the
       * sampler being starved on a loaded machine, when one sample can stand for milliseconds.
       */
      extensionByCountMs?: Summary;
      scriptMsWith: Summary;
      scriptMsWithout: Summary;
      taskMsWith: Summary;
      taskMsWithout: Summary;
      /** median(with) − median(without) of TaskDuration, and that as a share of without. */
      extraTaskMs: number;
      extraTaskShare: number;
      /** Attributed time as a share of the renderer's busy time in that window (with extension). */
      extensionShareOfBusy: number;
    }
  >;
}

export async function benchContentScript(lab: Lab, runs: number, log: (line: string) => void): Promise<ContentScriptResult> {
  const withExt = await launchWithExtension(lab, 'chromium');
  const without = await launch('chromium', { trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
  try {
    for (const s of [withExt, without]) for (let i = 0; i < 2; i++) await loadOnce(s, lab.url('mail', PAGE));
    const origin = withExt.extensionOrigin!;
    const a: RunSample[] = [];
    const b: RunSample[] = [];
    // Traced with the extension only: without it a trace has nothing of tapguard's to find.
    const traced: TracedStartup[] = [];
    await runOnce(withExt, lab, origin); // warm-up, discarded
    await runOnce(without, lab, origin);
    for (let i = 0; i < runs; i++) {
      traced.push(await traceStartup(withExt, lab, origin));
      if (i % 2 === 0) {
        a.push(await runOnce(withExt, lab, origin));
        b.push(await runOnce(without, lab, origin));
      } else {
        b.push(await runOnce(without, lab, origin));
        a.push(await runOnce(withExt, lab, origin));
      }
      const last = a.at(-1)!;
      const lastTrace = traced.at(-1)!;
      log(
        `content script run ${i + 1}/${runs}: start-up traced ${lastTrace.cpuMs.toFixed(2)} ms CPU / ${lastTrace.wallMs.toFixed(2)} ms wall in ${lastTrace.entries} entries; profiler ${last.startup.profile.extensionMs.toFixed(2)} ms attributed (${last.startup.profile.extensionSamples} samples, median interval ${last.startup.profile.medianIntervalMs?.toFixed(3)} ms), storm ${last.storm.profile.extensionMs.toFixed(2)} ms`,
      );
    }
    const windows = {} as ContentScriptResult['windows'];
    for (const w of ['startup', 'idle', 'storm'] as const) {
      const taskWith = a.map((r) => r[w].taskMs);
      const taskWithout = b.map((r) => r[w].taskMs);
      windows[w] = {
        extensionMs: summarise(a.map((r) => r[w].profile.extensionMs)),
        extensionByCountMs: summarise(a.map((r) => (r[w].profile.extensionSamples ?? 0) * (r[w].profile.medianIntervalMs ?? 0))),
        scriptMsWith: summarise(a.map((r) => r[w].scriptMs)),
        scriptMsWithout: summarise(b.map((r) => r[w].scriptMs)),
        taskMsWith: summarise(taskWith),
        taskMsWithout: summarise(taskWithout),
        extraTaskMs: median(taskWith) - median(taskWithout),
        extraTaskShare: median(taskWith) / median(taskWithout) - 1,
        extensionShareOfBusy: median(a.map((r) => r[w].profile.extensionMs / Math.max(r[w].profile.busyMs, 1e-9))),
      };
    }
    return {
      runs,
      page: PAGE,
      stormNodes: STORM_NODES,
      traced: {
        cpuMs: summarise(traced.map((t) => t.cpuMs)),
        wallMs: summarise(traced.map((t) => t.wallMs)),
        entries: summarise(traced.map((t) => t.entries)),
      },
      windows,
    };
  } finally {
    await Promise.all([withExt.close(), without.close()]);
  }
}
