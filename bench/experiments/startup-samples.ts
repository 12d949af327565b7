/**
 * One-off experiment: what the content script's start-up samples are made of (Chromium, heavy
 * page, 100 µs sampling as in bench/content-script.ts). Per run: samples with a tapguard frame,
 * their summed time deltas, the largest delta, and the leaf functions they land in.
 *
 *   npx tsx bench/experiments/startup-samples.ts [runs]
 */
import { startLab } from '../../lab/server';
import { launchWithExtension, loadOnce } from '../browsers';
import { profileOnce } from './profile-load';

const PAGE = '/heavy?nodes=5000&requests=150';
const runs = Number(process.argv[2] ?? 8);
const lab = await startLab();
const session = await launchWithExtension(lab, 'chromium');
const origin = session.extensionOrigin!;
try {
  for (let i = 0; i < 2; i++) await loadOnce(session, lab.url('mail', PAGE));
  const leaves = new Map<string, number>();
  const leafSamples = new Map<string, number>();
  for (let r = 0; r < runs; r++) {
    const { samples, timeDeltas, byId, parent } = await profileOnce(session, {
      warmUrl: lab.url('mail', '/heavy/app.js'),
      intervalUs: 100,
      act: (page) => page.goto(lab.url('mail', PAGE), { waitUntil: 'load' }),
      settleMs: 1500,
    });
    const ours = (id: number): boolean => {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.url.startsWith(origin)) return true;
      return false;
    };
    let count = 0;
    let sum = 0;
    let max = 0;
    const deltas: number[] = [];
    samples.forEach((id, i) => {
      if (!ours(id)) return;
      const dt = timeDeltas[i]! / 1000;
      count++;
      sum += dt;
      max = Math.max(max, dt);
      deltas.push(dt);
      const leaf = byId.get(id)!.callFrame;
      const name = `${leaf.functionName || '(anonymous)'} ${leaf.url.startsWith(origin) ? `${leaf.url.split("/").pop()}:${leaf.columnNumber}` : leaf.url.slice(0, 40)}`;
      leaves.set(name, (leaves.get(name) ?? 0) + dt);
      leafSamples.set(name, (leafSamples.get(name) ?? 0) + 1);
      if (process.env.STACKS && !byId.get(id)!.callFrame.url) {
        const stack: string[] = [];
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
          const f = byId.get(at)!.callFrame;
          stack.push(`${f.functionName || '(anon)'}@${f.url.startsWith(origin) ? 'content.js:' + f.columnNumber : f.url.slice(-20)}`);
        }
        console.log(`  native leaf ${dt.toFixed(2)} ms: ${stack.join(' < ')}`);
      }
    });
    deltas.sort((a, b) => a - b);
    console.log(`run ${r + 1}: ${count} samples, ${sum.toFixed(2)} ms summed deltas, max ${max.toFixed(2)} ms, median ${(deltas[deltas.length >> 1] ?? 0).toFixed(3)} ms, samples × 0.1 ms = ${(count * 0.1).toFixed(2)} ms`);
  }
  console.log('by leaf (summed deltas and samples, per run):');
  for (const [name, ms] of [...leaves].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${(ms / runs).toFixed(2)} ms, ${((leafSamples.get(name) ?? 0) / runs).toFixed(2)} samples  ${name}`);
} finally {
  await session.close();
  await lab.close();
}
