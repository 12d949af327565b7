/**
 * Browser pairs for the benchmarks: the same browser launched twice from the same harness
 * (tests/e2e/browsers.ts), once with the built extension and once without, against one lab. The
 * extension's copy gets the lab settings a user would set and a few warm-up visits, so that what
 * is measured is its steady state (baselines learned), not its first visit.
 */
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { LAB_HOSTS, type Lab } from '../lab/server';
import { launch, type BrowserName, type Session } from '../tests/e2e/browsers';
import { ExtensionProbe, labSettings } from '../tests/e2e/scenario-runner';

/** The built extension; BENCH_OUTPUT names another build's root (a copy of main's, for a before/after run). */
const OUTPUT_ROOT = path.resolve(process.env.BENCH_OUTPUT ?? '.output');
export const OUTPUT: Record<BrowserName, string> = {
  chromium: path.join(OUTPUT_ROOT, 'chrome-mv3'),
  firefox: path.join(OUTPUT_ROOT, 'firefox-mv2'),
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Pair {
  name: BrowserName;
  withExt: Session;
  without: Session;
  close(): Promise<void>;
}

export async function launchWithExtension(lab: Lab, name: BrowserName, extensionDir = OUTPUT[name]): Promise<Session> {
  const session = await launch(name, { extensionDir, trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
  const probe = await ExtensionProbe.open(session);
  await probe.setSettings(labSettings(lab, name));
  await probe.page.close();
  return session;
}

export async function launchPair(lab: Lab, name: BrowserName, warmUpUrls: string[]): Promise<Pair> {
  const withExt = await launchWithExtension(lab, name);
  const without = await launch(name, { trustCaPems: [lab.caCertPem], hostMap: Object.values(LAB_HOSTS) });
  // Past tapguard's learning period on every page measured, in both (the browsers warm up too).
  for (const url of warmUpUrls) for (const session of [withExt, without]) for (let i = 0; i < 2; i++) await loadOnce(session, url);
  return {
    name,
    withExt,
    without,
    async close() {
      await Promise.all([withExt.close(), without.close()]);
    },
  };
}

export interface LoadTiming {
  /** Navigation Timing loadEventEnd (ms since navigation start). */
  loadMs: number;
  domContentLoadedMs: number;
  resources: number;
  elements: number;
}

/** Loads `url` in a fresh tab and reads the page's own Navigation Timing. */
export async function loadOnce(session: Session, url: string): Promise<LoadTiming> {
  const page = await session.browser.newPage();
  try {
    return await timedGoto(page, url);
  } finally {
    await page.close().catch(() => undefined);
  }
}

export async function timedGoto(page: Page, url: string): Promise<LoadTiming> {
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  for (let i = 0; i < 100; i++) {
    const json = (await page.evaluate(`(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return JSON.stringify(n ? { loadMs: n.loadEventEnd, domContentLoadedMs: n.domContentLoadedEventEnd,
        resources: performance.getEntriesByType('resource').length, elements: document.getElementsByTagName('*').length } : null);
    })()`)) as string;
    const timing = JSON.parse(json) as LoadTiming | null;
    // loadEventEnd is 0 until the load handlers have returned.
    if (timing && timing.loadMs > 0) return timing;
    await sleep(20);
  }
  throw new Error(`no navigation timing for ${url}`);
}
