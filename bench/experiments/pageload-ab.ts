/**
 * Experiment: page loads with two builds of the extension and without any, in one browser at a
 * time, interleaved load by load (the order rotates each round), so that a change is judged
 * against its parent in the same minutes of the same (shared) machine. Prints, per page, each
 * build's median ratio to the browser without the extension.
 *
 *   npx tsx bench/experiments/pageload-ab.ts <build A root> <build B root> [loads] [browsers] [pages]
 *   (a build root holds chrome-mv3/ and firefox-mv2/, like .output/)
 */
import path from 'node:path';
import os from 'node:os';
import { LAB_HOSTS, startLab } from '../../lab/server';
import { launch, type BrowserName, type Session } from '../../tests/e2e/browsers';
import { launchWithExtension, loadOnce } from '../browsers';
import { PAGES, type PageName } from '../page-load';
import { overhead, summarise } from '../stats';

const [rootA, rootB] = [path.resolve(process.argv[2]!), path.resolve(process.argv[3]!)];
const loads = Number(process.argv[4] ?? 15);
const browsers = (process.argv[5] ?? 'chromium,firefox').split(',') as BrowserName[];
const MEASURED = (process.argv[6] ?? 'ordinary,ordinaryFrames,inbox,chat,requests200').split(',') as PageName[];
const DIRS: Record<BrowserName, string> = { chromium: 'chrome-mv3', firefox: 'firefox-mv2' };

/** One load; a load the harness lost (a frame detached under a loaded machine) is tried again, and said. */
async function load(session: Session, url: string, label: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await loadOnce(session, url)).loadMs;
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`${label}: load ${attempt} failed (${String(error).split('\n')[0]}), again`);
    }
  }
}

const lab = await startLab();
console.log(`load average at start ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
try {
  for (const name of browsers) {
    const sessions: Session[] = [
      await launchWithExtension(lab, name, path.join(rootA, DIRS[name])),
      await launchWithExtension(lab, name, path.join(rootB, DIRS[name])),
      await launch(name, { trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) }),
    ];
    try {
      const urls = MEASURED.map((page) => lab.url(PAGES[page].host, PAGES[page].path));
      // Past tapguard's learning period on every page, in all three.
      for (const url of urls) for (const s of sessions) for (let i = 0; i < 2; i++) await load(s, url, `warm-up ${url}`);
      for (const page of MEASURED) {
        const url = lab.url(PAGES[page].host, PAGES[page].path);
        const samples: number[][] = [[], [], []];
        for (let round = 0; round < loads; round++) {
          for (let k = 0; k < 3; k++) {
            const index = (k + round) % 3;
            samples[index]!.push(await load(sessions[index]!, url, `${name} ${page} ${'AB-'[index]}`));
          }
        }
        const [a, b, none] = samples as [number[], number[], number[]];
        const ratio = (xs: number[]) => overhead(xs, none).ratio;
        console.log(
          `${name} ${page}: without ${summarise(none).median.toFixed(1)} ms; A ${summarise(a).median.toFixed(1)} ms (${(ratio(a) * 100).toFixed(1)}%); ` +
            `B ${summarise(b).median.toFixed(1)} ms (${(ratio(b) * 100).toFixed(1)}%); load ${os.loadavg()[0]!.toFixed(2)}`,
        );
      }
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  }
} finally {
  await lab.close();
}
