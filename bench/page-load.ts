/**
 * Page-load overhead: the lab inbox, the heavy page (5,000 elements, 150 same-origin
 * subresources) and a 200-request page, each loaded in a fresh tab by the same browser with and
 * without tapguard, alternating which goes first, one load at a time. The figure is the page's
 * own Navigation Timing loadEventEnd.
 */
import type { Lab, LabHost } from '../lab/server';
import type { BrowserName } from '../tests/e2e/browsers';
import { launchPair, loadOnce, type LoadTiming } from './browsers';
import { overhead, summarise, type Summary } from './stats';

export const PAGES = {
  inbox: { host: 'mail', path: '/?_task=mail' },
  heavy: { host: 'mail', path: '/heavy?nodes=5000&requests=150' },
  requests200: { host: 'mail', path: '/heavy?nodes=1000&requests=200' },
  // Not mail or chat: what tapguard costs every other page the user opens.
  ordinary: { host: 'evil', path: '/frame.html' },
} as const satisfies Record<string, { host: LabHost; path: string }>;
export type PageName = keyof typeof PAGES;

export interface PageLoadResult {
  browser: BrowserName;
  page: PageName;
  path: string;
  loads: number;
  /** Subresources and elements of the page, as the browser counted them. */
  resources: number;
  elements: number;
  withExt: Summary;
  without: Summary;
  samplesWith: number[];
  samplesWithout: number[];
  overhead: ReturnType<typeof overhead>;
}

export async function benchPageLoad(lab: Lab, name: BrowserName, loads: number, log: (line: string) => void): Promise<PageLoadResult[]> {
  const pair = await launchPair(lab, name, Object.values(PAGES).map((p) => lab.url(p.host, p.path)));
  try {
    const results: PageLoadResult[] = [];
    for (const [page, { host, path }] of Object.entries(PAGES) as [PageName, (typeof PAGES)[PageName]][]) {
      const url = lab.url(host, path);
      const withExt: LoadTiming[] = [];
      const without: LoadTiming[] = [];
      // One discarded warm-up of each, then `loads` interleaved pairs, alternating the order.
      await loadOnce(pair.withExt, url);
      await loadOnce(pair.without, url);
      for (let i = 0; i < loads; i++) {
        if (i % 2 === 0) {
          withExt.push(await loadOnce(pair.withExt, url));
          without.push(await loadOnce(pair.without, url));
        } else {
          without.push(await loadOnce(pair.without, url));
          withExt.push(await loadOnce(pair.withExt, url));
        }
      }
      const samplesWith = withExt.map((t) => t.loadMs);
      const samplesWithout = without.map((t) => t.loadMs);
      const result: PageLoadResult = {
        browser: name,
        page,
        path: host === 'mail' ? path : `${host}:${path}`,
        loads,
        resources: without[0]!.resources,
        elements: without[0]!.elements,
        withExt: summarise(samplesWith),
        without: summarise(samplesWithout),
        samplesWith,
        samplesWithout,
        overhead: overhead(samplesWith, samplesWithout),
      };
      log(
        `${name} ${page}: with ${result.withExt.median.toFixed(1)} ms, without ${result.without.median.toFixed(1)} ms, ` +
          `overhead ${(result.overhead.ratio * 100).toFixed(1)}% [${result.overhead.ci95.map((x) => (x * 100).toFixed(1)).join(', ')}]`,
      );
      results.push(result);
    }
    return results;
  } finally {
    await pair.close();
  }
}
