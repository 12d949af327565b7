/**
 * Experiment: two builds of the extension side by side, start-up traced on the heavy page in
 * interleaved rounds (bench/content-script.ts `traceStartup`), so a change is judged against its
 * parent in the same minutes of the same machine.
 *
 *   npx tsx bench/experiments/startup-ab.ts <build A dir> <build B dir> [rounds]
 */
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch } from '../../tests/e2e/browsers';
import { loadOnce } from '../browsers';
import { traceStartup } from '../content-script';
import { summarise } from '../stats';

const [dirA, dirB] = [process.argv[2]!, process.argv[3]!];
const rounds = Number(process.argv[4] ?? 15);
const lab = await startLab();
const sessions = await Promise.all([dirA, dirB].map((extensionDir) => launch('chromium', { extensionDir, trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) })));
try {
  for (const s of sessions) for (let i = 0; i < 2; i++) await loadOnce(s, lab.url('mail', '/heavy?nodes=5000&requests=150'));
  const cpu: number[][] = [[], []];
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 ? [1, 0] : [0, 1]) cpu[k]!.push((await traceStartup(sessions[k]!, lab, sessions[k]!.extensionOrigin!)).cpuMs);
  }
  cpu.forEach((xs, k) => {
    const s = summarise(xs);
    console.log(`${k ? 'B' : 'A'} ${k ? dirB : dirA}: median ${s.median.toFixed(2)} ms CPU (p25–p75 ${s.p25.toFixed(2)}–${s.p75.toFixed(2)}) over ${xs.length}`);
  });
} finally {
  await Promise.all(sessions.map((s) => s.close()));
  await lab.close();
}
