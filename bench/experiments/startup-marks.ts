/**
 * Experiment: the steps inside one entry of the content script, on the heavy page. A build with
 * `console.timeStamp('tg:<step>')` calls placed between its steps (by hand, never committed) is
 * traced like bench/content-script.ts `traceStartup`; each mark's trace event carries the main
 * thread's clock, so the time between two marks is that step's own CPU time (the marks' own cost
 * included, a few µs each).
 *
 *   npx tsx bench/experiments/startup-marks.ts <build dir> [rounds]
 */
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch } from '../../tests/e2e/browsers';
import { loadOnce, sleep } from '../browsers';
import { summarise } from '../stats';

interface MarkEvent {
  name: string;
  ts: number;
  tts?: number;
  args?: { data?: { message?: string } };
}
const PAGE = '/heavy?nodes=5000&requests=150';
const dir = process.argv[2]!;
const rounds = Number(process.argv[3] ?? 15);

const lab = await startLab();
const session = await launch('chromium', { extensionDir: dir, trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
try {
  for (let i = 0; i < 2; i++) await loadOnce(session, lab.url('mail', PAGE));
  const steps = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const page = await session.browser.newPage();
    await page.goto(lab.url('mail', '/heavy/app.js'), { waitUntil: 'load' });
    await page.tracing.start({ categories: ['devtools.timeline'] });
    await page.goto(lab.url('mail', PAGE), { waitUntil: 'load', timeout: 60_000 });
    await sleep(1500);
    const { traceEvents } = JSON.parse(Buffer.from((await page.tracing.stop())!).toString('utf8')) as { traceEvents: MarkEvent[] };
    await page.close();
    const marks = traceEvents.filter((e) => e.name === 'TimeStamp' && e.args?.data?.message?.startsWith('tg:')).sort((a, b) => a.ts - b.ts);
    const sums = new Map<string, number>();
    for (let i = 1; i < marks.length; i++) {
      const [from, to] = [marks[i - 1]!, marks[i]!];
      // A step is from one mark to the next within one entry: a mark named "tg:start…" opens one.
      if (to.args!.data!.message!.startsWith('tg:start')) continue;
      const key = `${from.args!.data!.message} → ${to.args!.data!.message}`;
      const ms = ((to.tts ?? to.ts) - (from.tts ?? from.ts)) / 1000;
      sums.set(key, (sums.get(key) ?? 0) + ms);
    }
    for (const [key, ms] of sums) steps.set(key, [...(steps.get(key) ?? []), ms]);
  }
  for (const [key, xs] of steps) {
    const s = summarise(xs);
    console.log(`${key.padEnd(48)} median ${s.median.toFixed(3)} ms (p25–p75 ${s.p25.toFixed(3)}–${s.p75.toFixed(3)}) in ${xs.length} loads`);
  }
} finally {
  await session.close();
  await lab.close();
}
