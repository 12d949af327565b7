/**
 * Experiment: where the watch script's start-up goes on the heavy page, by place in the script
 * (V8 sampling profiler at 25 µs, Chromium). Unlike content-profile.ts, a sample whose leaf is
 * native code the script called (a DOM getter, an extension binding, a wrapper being made) counts
 * for the innermost frame of the script below it, named with that leaf, so the cost of crossing
 * into Blink is not lost to "(program)". Build with `build.minify` off to read the places.
 *
 *   npx tsx bench/experiments/startup-profile.ts <build dir> [runs]
 */
import { readFileSync } from 'node:fs';
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch } from '../../tests/e2e/browsers';
import { loadOnce } from '../browsers';
import { profileOnce, type ProfileNode as Node } from './profile-load';

const PAGE = '/heavy?nodes=5000&requests=150';
const dir = process.argv[2]!;
const runs = Number(process.argv[3] ?? 10);
const lines = readFileSync(`${dir}/content-scripts/watch.js`, 'utf8').split('\n');

const lab = await startLab();
const session = await launch('chromium', { extensionDir: dir, trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
try {
  for (let i = 0; i < 2; i++) await loadOnce(session, lab.url('mail', PAGE));
  const self = new Map<string, number>();
  for (let i = 0; i < runs; i++) {
    const { samples, timeDeltas, byId, parent } = await profileOnce(session, {
      warmUrl: lab.url('mail', '/heavy/app.js'),
      intervalUs: 25,
      act: (page) => page.goto(lab.url('mail', PAGE), { waitUntil: 'load' }),
      settleMs: 1500,
    });
    const ours = (n: Node) => n.callFrame.url.startsWith(session.extensionOrigin!);
    samples.forEach((id, k) => {
      const leaf = byId.get(id)!;
      let node: Node | undefined = leaf;
      while (node && !ours(node)) node = parent.has(node.id) ? byId.get(parent.get(node.id)!) : undefined;
      if (!node) return;
      const { lineNumber, columnNumber, functionName } = node.callFrame;
      const key = `${lineNumber + 1}:${columnNumber} ${functionName || '?'}${leaf === node ? '' : ` → ${leaf.callFrame.functionName || '?'}`}`;
      self.set(key, (self.get(key) ?? 0) + timeDeltas[k]! / 1000);
    });
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) / runs;
  console.log(`start-up: ${total.toFixed(2)} ms of content-script time per run (25 µs sampling, ${runs} runs)`);
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    const [line] = key.split(':');
    console.log(`${(ms / runs).toFixed(3).padStart(7)} ms  ${key.padEnd(60)} ${JSON.stringify((lines[Number(line) - 1] ?? '').trim().slice(0, 70))}`);
  }
} finally {
  await session.close();
  await lab.close();
}
