/**
 * Where page-load overhead comes from: the same build in variants, made from a copy of .output
 * (nothing is rebuilt), loaded side by side with a browser without any extension. The shipped
 * build registers its content scripts from the background (lib/background/content-scripts.ts); a variant
 * without that registration lacks the `scripting` permission and, where it still wants content
 * scripts, declares the same ones in its manifest:
 *
 * - full: the build as shipped;
 * - no content script: no registration (background only);
 * - no background: the background script replaced by an empty one, the content scripts declared
 *   in the manifest (their messages then find no listener);
 * - empty content script: both content scripts replaced by empty scripts, still registered at
 *   document_start (what any document_start content script costs, whatever it does);
 * - content script at document_end: the same content scripts, declared for after parsing instead
 *   of before it (a CSP violation during parsing is then missed: an experiment, not a proposal).
 *
 * All browsers stay open; each round loads the page once in each, in a rotating order.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { contentScriptsFor } from '../lib/background/content-scripts';
import { LAB_HOSTS, type Lab } from '../lab/server';
import { launch, type BrowserName, type Session } from '../tests/e2e/browsers';
import { setStorageLocal } from '../tests/e2e/idb';
import { ExtensionProbe, labSettings } from '../tests/e2e/scenario-runner';
import { loadOnce, OUTPUT } from './browsers';
import { PAGES, type PageName } from './page-load';
import { overhead, summarise, type Summary } from './stats';

const VARIANTS = ['full', 'no content script', 'no background', 'empty content script', 'content script at document_end'] as const;
type Variant = (typeof VARIANTS)[number];
const REGISTERED: readonly Variant[] = ['full', 'empty content script'];

interface Manifest {
  permissions?: string[];
  content_scripts?: { matches: string[]; exclude_matches?: string[]; js: string[]; run_at: string; all_frames: boolean }[];
  background?: { service_worker?: string; scripts?: string[] };
}

/** The mail host as a site the user added: without content scripts it would never be recognised. */
function benchSettings(lab: Lab, name: BrowserName): Record<string, unknown> {
  const settings = labSettings(lab, name);
  return { ...settings, userSites: [...(settings.userSites as string[]), LAB_HOSTS.mail] };
}

async function variantDir(root: string, name: BrowserName, variant: Variant, settings: Record<string, unknown>): Promise<string> {
  const dir = path.join(root, `${name}-${variant.replace(/ /g, '-')}`);
  await cp(OUTPUT[name], dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  const registrations = contentScriptsFor({ userSites: settings.userSites as string[], recognisedHosts: {} });
  if (!REGISTERED.includes(variant)) manifest.permissions = manifest.permissions?.filter((p) => p !== 'scripting');
  if (variant === 'no background' || variant === 'content script at document_end') {
    manifest.content_scripts = registrations.map((r) => ({
      matches: r.matches,
      ...(r.excludeMatches ? { exclude_matches: r.excludeMatches } : {}),
      js: r.js,
      all_frames: r.allFrames,
      run_at: variant === 'no background' ? r.runAt : 'document_end',
    }));
  }
  if (variant === 'empty content script') {
    for (const file of registrations.flatMap((r) => r.js)) await writeFile(path.join(dir, file), '/* tapguard bench: content script emptied */\n');
  }
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
      const settings = benchSettings(lab, name);
      const session = await launch(name, { extensionDir: await variantDir(root, name, variant, settings), trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
      const probe = await ExtensionProbe.open(session);
      // Only a registering variant can be waited for until its content scripts know the settings.
      if (REGISTERED.includes(variant)) await probe.setSettings(settings);
      else await setStorageLocal(probe.page, { settings });
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
