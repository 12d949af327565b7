/**
 * One-off experiment behind docs/benchmarks.md: what a subtree MutationObserver costs the page
 * when it runs in the page's own (main) world, for comparison with tapguard's, which runs in the
 * content script's isolated world. Chromium without the extension, heavy page, the
 * 10,000-element storm, renderer TaskDuration (CDP Performance.getMetrics); interleaved, medians.
 *
 *   npx tsx bench/experiments/main-world-observer.ts
 */
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch } from '../../tests/e2e/browsers';
import { sleep } from '../browsers';
import { median } from '../stats';

const VARIANTS: Record<string, string> = {
  'no observer': '0',
  'empty observer': `new MutationObserver(() => {}).observe(document.documentElement, { childList: true, subtree: true })`,
  "observer walking addedNodes as tapguard's does": `new MutationObserver((ms) => { const s = []; for (const m of ms) for (const n of m.addedNodes) if (n.nodeName === 'SCRIPT') s.push(n); else if (n.nodeType === 1) void 0; }).observe(document.documentElement, { childList: true, subtree: true })`,
};
const RUNS = 11;

const lab = await startLab();
const session = await launch('chromium', { trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
try {
  const samples = new Map(Object.keys(VARIANTS).map((k) => [k, [] as number[]]));
  for (let i = 0; i <= RUNS; i++) {
    for (const [name, code] of Object.entries(VARIANTS)) {
      const page = await session.browser.newPage();
      await page.goto(lab.url('mail', '/heavy?nodes=5000&requests=150'), { waitUntil: 'load' });
      await page.evaluate(code);
      const cdp = await page.createCDPSession();
      await cdp.send('Performance.enable');
      const task = async () => ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.find((m) => m.name === 'TaskDuration')!.value * 1000;
      await sleep(300);
      const before = await task();
      await page.evaluate('window.labStorm(10000)');
      await sleep(1000);
      if (i > 0) samples.get(name)!.push((await task()) - before); // the first round is a warm-up
      await page.close();
    }
  }
  const base = median(samples.get('no observer')!);
  for (const [name, values] of samples) {
    const m = median(values);
    console.log(`${name.padEnd(48)} ${m.toFixed(1)} ms renderer task time during the storm (${(((m - base) / base) * 100).toFixed(1)}%)`);
  }
} finally {
  await session.close();
  await lab.close();
}
