/**
 * `npm run bench` (builds first): tapguard's benchmarks in real Chromium and Firefox ESR against
 * the lab, then writes bench/results/latest.json (and a copy under bench/results/history/) and
 * the results block of docs/benchmarks.md.
 *
 *   tsx bench/run.ts [--only=bundle,pageload,attribution,content,data,memory,webrequest] [--loads=25]
 *                    [--runs=9] [--attribution-loads=15] [--memory-loads=360] [--webrequest-loads=10]
 *                    [--browsers=chromium,firefox] [--no-write]
 *   tsx bench/run.ts --render-only   (re-render docs/benchmarks.md from bench/results/latest.json)
 *
 * Takes about 20 minutes on two cores (page loads: 25 per page and condition). Method and targets: docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLab } from '../lab/server';
import { benchAttribution } from './attribution';
import { bundleSizes } from './bundle';
import { benchContentScript } from './content-script';
import { benchData } from './data';
import { benchPageLoad } from './page-load';
import { END, renderResults, START, type BenchResults, type Machine } from './report';
import { benchWebRequestCost, benchWorkerMemory } from './worker';

const SECTIONS = ['bundle', 'pageload', 'attribution', 'content', 'data', 'memory', 'webrequest'] as const;
type Section = (typeof SECTIONS)[number];

function option(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a positive whole number`);
  return value;
}

const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1];
const only = new Set<Section>(onlyArg ? (onlyArg.split(',') as Section[]) : SECTIONS);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; known: ${SECTIONS.join(', ')}`);
const options = {
  // Issue 18's targets are medians of at least 25 interleaved loads.
  loads: option('loads', 25),
  runs: option('runs', 9),
  attributionLoads: option('attribution-loads', 15),
  memoryLoads: option('memory-loads', 360),
  webRequestLoads: option('webrequest-loads', 10),
};
const write = !process.argv.includes('--no-write');
// Page loads and attribution in these browsers only (both by default): a change to one browser's
// code is measured without spending the other's time.
const BROWSERS = ['chromium', 'firefox'] as const;
const browsersArg = process.argv.find((a) => a.startsWith('--browsers='))?.split('=')[1];
const browsers = browsersArg ? (browsersArg.split(',') as (typeof BROWSERS)[number][]) : [...BROWSERS];
for (const b of browsers) if (!BROWSERS.includes(b)) throw new Error(`unknown browser ${b}; known: ${BROWSERS.join(', ')}`);

const versionOf = (bin: string) => {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return `${bin}: not found`;
  }
};

function machine(loadAverageStart: number[]): Machine {
  const cpus = os.cpus();
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  return {
    commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain').length > 0 ? ' + uncommitted changes' : ''}`,
    date: new Date().toISOString(),
    dateCommand: execFileSync('date', { encoding: 'utf8' }).trim(),
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGb: os.totalmem() / 1024 ** 3,
    loadAverageStart,
    loadAverageEnd: os.loadavg(),
    node: process.versions.node,
    chromium: versionOf('/usr/bin/chromium'),
    firefox: versionOf('/usr/bin/firefox-esr'),
    os: `${os.type()} ${os.release()}`,
  };
}

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const loadAverageStart = os.loadavg();
const durations: Record<string, number> = {};
const results: Omit<BenchResults, 'machine'> = { options, durationsSeconds: durations };

async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  log(`${name}…`);
  const start = Date.now();
  try {
    return await run();
  } finally {
    durations[name] = (Date.now() - start) / 1000;
  }
}

function writeDocs(results: BenchResults): void {
  const docs = path.resolve('docs/benchmarks.md');
  let text: string;
  try {
    text = readFileSync(docs, 'utf8');
  } catch {
    text = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from === -1 || to === -1) throw new Error(`docs/benchmarks.md has no ${START} … ${END} block to replace`);
  writeFileSync(docs, text.slice(0, from) + renderResults(results) + text.slice(to + END.length));
}

if (process.argv.includes('--render-only')) {
  writeDocs(JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as BenchResults);
  log('re-rendered the results block of docs/benchmarks.md from bench/results/latest.json');
  process.exit(0);
}

if (only.has('bundle')) {
  results.bundles = await phase('bundle', async () => ({ 'chrome-mv3': bundleSizes('.output/chrome-mv3'), 'firefox-mv2': bundleSizes('.output/firefox-mv2') }));
  for (const e of results.bundles['chrome-mv3']) log(`${e.entry}: ${(e.gzip / 1024).toFixed(1)} KB gzipped`);
}

const lab = await startLab();
try {
  if (only.has('pageload')) {
    results.pageLoad = await phase('pageload', async () => {
      const rows = [];
      for (const name of browsers) rows.push(...(await benchPageLoad(lab, name, options.loads, log)));
      return rows;
    });
  }
  if (only.has('attribution')) {
    results.attribution = await phase('attribution', async () => {
      const rows = [];
      for (const name of browsers) rows.push(...(await benchAttribution(lab, name, options.attributionLoads, log)));
      return rows;
    });
  }
  if (only.has('content')) results.contentScript = await phase('content', () => benchContentScript(lab, options.runs, log));
  if (only.has('webrequest')) results.webRequest = await phase('webrequest', () => benchWebRequestCost(lab, options.webRequestLoads, log));
  if (only.has('data')) results.data = await phase('data', () => benchData(lab, options.runs, log));
  if (only.has('memory')) results.memory = await phase('memory', () => benchWorkerMemory(lab, options.memoryLoads, log));
} finally {
  await lab.close();
}

const full: BenchResults = { machine: machine(loadAverageStart), ...results };
if (write) {
  mkdirSync('bench/results/history', { recursive: true });
  const json = `${JSON.stringify(full, null, 2)}\n`;
  writeFileSync('bench/results/latest.json', json);
  writeFileSync(`bench/results/history/${full.machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`, json);
  writeDocs(full);
  log('wrote bench/results/latest.json, its copy in bench/results/history/ and the results block of docs/benchmarks.md');
} else {
  console.log(renderResults(full));
}
