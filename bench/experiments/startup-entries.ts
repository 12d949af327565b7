/**
 * Experiment: the content script's start-up on the heavy page split into the trace entries it is
 * made of (evaluating the script, each listener, observer callback and timer), per build, in
 * interleaved rounds, so a change shows which entry it moved. Same trace as
 * bench/content-script.ts `traceStartup`; entries named by kind and position in the script.
 *
 *   npx tsx bench/experiments/startup-entries.ts <build dir> [<build dir>…] [--rounds=15]
 */
import type { Page } from 'puppeteer-core';
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch } from '../../tests/e2e/browsers';
import { loadOnce, sleep } from '../browsers';
import type { TraceEvent } from '../content-script';
import { summarise } from '../stats';

const PAGE = '/heavy?nodes=5000&requests=150';
const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 15);


async function entries(page: Page, origin: string, labUrl: (path: string) => string): Promise<Map<string, number>> {
  await page.goto(labUrl('/heavy/app.js'), { waitUntil: 'load' });
  await page.tracing.start({ categories: ['devtools.timeline'] });
  await page.goto(labUrl(PAGE), { waitUntil: 'load', timeout: 60_000 });
  await sleep(1500);
  const buffer = await page.tracing.stop();
  const { traceEvents } = JSON.parse(Buffer.from(buffer!).toString('utf8')) as { traceEvents: TraceEvent[] };
  const ours = traceEvents
    .filter((e) => (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && e.dur !== undefined && e.args?.data?.url?.startsWith(origin))
    .sort((a, b) => a.ts - b.ts);
  const first = ours.findIndex((e) => e.name === 'EvaluateScript');
  const byKey = new Map<string, number>();
  let end = -Infinity;
  for (const e of first < 0 ? [] : ours.slice(first)) {
    if (e.ts < end) continue;
    end = e.ts + e.dur!;
    const d = e.args!.data!;
    const key = e.name === 'EvaluateScript' ? 'evaluate' : `call ${d.functionName || '?'}@${d.columnNumber ?? '?'}`;
    byKey.set(key, (byKey.get(key) ?? 0) + (e.tdur ?? e.dur!) / 1000);
  }
  return byKey;
}

const lab = await startLab();
const labUrl = (path: string) => lab.url('mail', path);
const sessions = await Promise.all(dirs.map((extensionDir) => launch('chromium', { extensionDir, trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) })));
try {
  for (const s of sessions) for (let i = 0; i < 2; i++) await loadOnce(s, labUrl(PAGE));
  const results = sessions.map(() => [] as Map<string, number>[]);
  for (let r = 0; r < rounds; r++) {
    const order = sessions.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const k of order) {
      const page = await sessions[k]!.browser.newPage();
      try {
        results[k]!.push(await entries(page, sessions[k]!.extensionOrigin!, labUrl));
      } finally {
        await page.close().catch(() => undefined);
      }
    }
  }
  results.forEach((runs, k) => {
    const total = summarise(runs.map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
    console.log(`${dirs[k]}: total median ${total.median.toFixed(2)} ms CPU (p25–p75 ${total.p25.toFixed(2)}–${total.p75.toFixed(2)}) over ${runs.length}`);
    const keys = new Set(runs.flatMap((m) => [...m.keys()]));
    for (const key of keys) {
      const xs = runs.map((m) => m.get(key) ?? 0);
      const s = summarise(xs);
      console.log(`  ${key.padEnd(28)} median ${s.median.toFixed(3)}  p25–p75 ${s.p25.toFixed(3)}–${s.p75.toFixed(3)}  present in ${runs.filter((m) => m.has(key)).length}`);
    }
  });
} finally {
  await Promise.all(sessions.map((s) => s.close()));
  await lab.close();
}
