/**
 * One-off experiment behind docs/benchmarks.md: where the content script's time goes, by
 * function (self time, V8 sampling profiler at 50 µs, 8 runs) in Chromium on the heavy page,
 * at start-up or during the 10,000-element mutation storm. The build is minified, so functions
 * are named by their position in the script (watch.js since the recogniser left every page; content.js in the figures of docs/benchmarks.md) with the code found there.
 *
 *   npx tsx bench/experiments/content-profile.ts [startup|storm]
 */
import { readFileSync } from 'node:fs';
import { startLab } from '../../lab/server';
import { launchWithExtension, loadOnce, OUTPUT, sleep } from '../browsers';
import { profileOnce } from './profile-load';

const PAGE = '/heavy?nodes=5000&requests=150';
const RUNS = 8;
const storm = process.argv[2] === 'storm';
const source = readFileSync(`${OUTPUT.chromium}/content-scripts/watch.js`, 'utf8');

const lab = await startLab();
const session = await launchWithExtension(lab, 'chromium');
try {
  for (let i = 0; i < 2; i++) await loadOnce(session, lab.url('mail', PAGE));
  const self = new Map<number, number>();
  for (let i = 0; i < RUNS; i++) {
    const { samples, timeDeltas, byId } = await profileOnce(session, {
      warmUrl: lab.url('mail', '/heavy/app.js'),
      intervalUs: 50,
      // The storm is profiled on a page already loaded and settled.
      before: storm ? (page) => page.goto(lab.url('mail', PAGE), { waitUntil: 'load' }).then(() => sleep(1500)) : undefined,
      act: (page) => (storm ? page.evaluate('window.labStorm(10000)') : page.goto(lab.url('mail', PAGE), { waitUntil: 'load' })),
      settleMs: storm ? 1000 : 1500,
    });
    samples.forEach((id, k) => {
      const frame = byId.get(id)!.callFrame;
      if (frame.url.startsWith(session.extensionOrigin!)) self.set(frame.columnNumber, (self.get(frame.columnNumber) ?? 0) + timeDeltas[k]! / 1000);
    });
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) / RUNS;
  console.log(`${storm ? 'storm' : 'start-up'}: ${total.toFixed(2)} ms of content-script self time per run (50 µs sampling)`);
  for (const [column, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`${(ms / RUNS).toFixed(2).padStart(6)} ms  watch.js:${column}  ${JSON.stringify(source.slice(column, column + 90))}`);
  }
} finally {
  await session.close();
  await lab.close();
}
