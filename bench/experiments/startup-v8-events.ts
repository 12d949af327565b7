/**
 * Experiment: what V8 and the extension bindings do inside the content script's entries on the
 * heavy page (lazy compilation, tier-up interrupts, garbage collection, the message channel's
 * IPC), from a Chrome trace with V8's categories: every event nested in an entry of the script,
 * summed by name (wall time; nested events overlap, e.g. V8.CompileCode holds V8.ParseFunction).
 *
 *   npx tsx bench/experiments/startup-v8-events.ts <build dir> [runs]
 */
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch } from '../../tests/e2e/browsers';
import { loadOnce, sleep } from '../browsers';
import type { TraceEvent } from '../content-script';

const PAGE = '/heavy?nodes=5000&requests=150';
const CATEGORIES = ['devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.gc', 'disabled-by-default-v8.compile', 'extensions', 'ipc'];
const dir = process.argv[2]!;
const runs = Number(process.argv[3] ?? 6);

const lab = await startLab();
const session = await launch('chromium', { extensionDir: dir, trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
const origin = session.extensionOrigin!;
try {
  for (let i = 0; i < 2; i++) await loadOnce(session, lab.url('mail', PAGE));
  for (let r = 0; r < runs; r++) {
    const page = await session.browser.newPage();
    await page.goto(lab.url('mail', '/heavy/app.js'), { waitUntil: 'load' });
    await page.tracing.start({ categories: CATEGORIES });
    await page.goto(lab.url('mail', PAGE), { waitUntil: 'load', timeout: 60_000 });
    await sleep(1500);
    const { traceEvents } = JSON.parse(Buffer.from((await page.tracing.stop())!).toString('utf8')) as { traceEvents: TraceEvent[] };
    await page.close();
    const ours = traceEvents.filter((e) => (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && e.dur !== undefined && e.args?.data?.url?.startsWith(origin));
    const inside = new Map<string, number>();
    for (const e of traceEvents) {
      if (e.dur === undefined || e.name === 'FunctionCall' || e.name === 'EvaluateScript') continue;
      if (ours.some((o) => o.tid === e.tid && e.ts >= o.ts && e.ts < o.ts + o.dur!)) inside.set(e.name, (inside.get(e.name) ?? 0) + e.dur / 1000);
    }
    const cpu = ours.reduce((sum, o) => sum + (o.tdur ?? o.dur!), 0) / 1000;
    const top = [...inside].filter(([, ms]) => ms >= 0.01).sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
    console.log(`run ${r + 1}: ${cpu.toFixed(2)} ms CPU in ${ours.length} entries; inside them: ${top.join(', ')}`);
  }
} finally {
  await session.close();
  await lab.close();
}
