/**
 * Where page-load overhead comes from: the same build in three variants, made from a copy of
 * .output (nothing is rebuilt), loaded side by side with a browser without any extension:
 *
 * - full: the build as shipped;
 * - no content script: the manifest's content_scripts removed (background only);
 * - no background: the background script replaced by an empty one (content script only; its
 *   messages then find no listener);
 * - empty content script: content.js replaced by an empty script, still injected at
 *   document_start (what any document_start content script costs, whatever it does);
 * - content script at document_end: the same content script, injected after parsing instead of
 *   before it (a CSP violation during parsing is then missed: an experiment, not a proposal as is).
 *
 * All four browsers stay open; each round loads the page once in each, in a rotating order.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LAB_HOSTS, type Lab } from '../lab/server';
import { launch, type BrowserName, type Session } from '../tests/e2e/browsers';
import { ExtensionProbe, labSettings } from '../tests/e2e/scenario-runner';
import { loadOnce, OUTPUT } from './browsers';
import { PAGES, type PageName } from './page-load';
import { overhead, summarise, type Summary } from './stats';

const VARIANTS = ['full', 'no content script', 'no background', 'empty content script', 'content script at document_end'] as const;
type Variant = (typeof VARIANTS)[number];

interface Manifest {
  content_scripts?: { js?: string[]; run_at?: string }[];
  background?: { service_worker?: string; scripts?: string[] };
}

async function variantDir(root: string, name: BrowserName, variant: Variant): Promise<string> {
  const dir = path.join(root, `${name}-${variant.replace(/ /g, '-')}`);
  await cp(OUTPUT[name], dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  if (variant === 'no content script') delete manifest.content_scripts;
  if (variant === 'empty content script') {
    for (const file of manifest.content_scripts?.flatMap((c) => c.js ?? []) ?? []) await writeFile(path.join(dir, file), '/* tapguard bench: content script emptied */\n');
  }
  if (variant === 'content script at document_end') for (const c of manifest.content_scripts ?? []) c.run_at = 'document_end';
  if (variant === 'no background') {
    for (const file of [manifest.background?.service_worker, ...(manifest.background?.scripts ?? [])]) {
      if (file) await writeFile(path.join(dir, file), '/* tapguard bench: background removed */\n');
    }
  }
  await writeFile(manifestPath, JSON.stringify(manifest));
  return dir;
}

export interface AttributionResult {
  browser: BrowserName;
  page: PageName;
  loads: number;
  without: Summary;
  variants: Record<Variant, { load: Summary; overhead: ReturnType<typeof overhead> }>;
}

export async function benchAttribution(lab: Lab, name: BrowserName, loads: number, log: (line: string) => void): Promise<AttributionResult[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tapguard-bench-variants-'));
  const sessions = new Map<Variant | 'without', Session>();
  try {
    for (const variant of VARIANTS) {
      const session = await launch(name, { extensionDir: await variantDir(root, name, variant), trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
      const probe = await ExtensionProbe.open(session);
      // The mail host as a site the user added: without the content script it would never be
      // recognised, and the background would treat it as an ordinary host, hiding its own cost.
      const settings = labSettings(lab, name);
      await probe.setSettings({ ...settings, userSites: [...(settings.userSites as string[]), LAB_HOSTS.mail] });
      await probe.page.close();
      sessions.set(variant, session);
    }
    sessions.set('without', await launch(name, { trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) }));
    const order = [...sessions.keys()];
    const results: AttributionResult[] = [];
    for (const page of ['inbox', 'ordinary'] as const) {
      const url = lab.url(PAGES[page].host, PAGES[page].path);
      for (const session of sessions.values()) for (let i = 0; i < 3; i++) await loadOnce(session, url); // warm-up
      const samples = new Map(order.map((k) => [k, [] as number[]]));
      for (let i = 0; i < loads; i++) {
        // Rotate who goes first.
        for (let k = 0; k < order.length; k++) {
          const key = order[(i + k) % order.length]!;
          samples.get(key)!.push((await loadOnce(sessions.get(key)!, url)).loadMs);
        }
      }
      const without = samples.get('without')!;
      const variants = {} as AttributionResult['variants'];
      for (const v of VARIANTS) variants[v] = { load: summarise(samples.get(v)!), overhead: overhead(samples.get(v)!, without) };
      results.push({ browser: name, page, loads, without: summarise(without), variants });
      log(`${name} ${page}: without ${summarise(without).median.toFixed(1)} ms; ${VARIANTS.map((v) => `${v} ${variants[v].load.median.toFixed(1)} ms`).join(', ')}`);
    }
    return results;
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.close()));
    await rm(root, { recursive: true, force: true });
  }
}
