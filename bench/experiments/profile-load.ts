/**
 * What the content-script profiling experiments share: one load (or one action) of the heavy
 * page, profiled by V8's sampling profiler from a fresh tab, with the call tree indexed.
 */
import type { Page } from 'puppeteer-core';
import type { Session } from '../../tests/e2e/browsers';
import { sleep } from '../browsers';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface IndexedProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  byId: Map<number, ProfileNode>;
  /** Parent node id of each node id (the root has none). */
  parent: Map<number, number>;
}

/**
 * Opens a tab on `warmUrl` (same origin, so the profiled navigation is not the tab's first),
 * runs `before` unprofiled, then profiles `act` and `settleMs` after it, at `intervalUs`.
 */
export async function profileOnce(
  session: Session,
  options: { warmUrl: string; intervalUs: number; act: (page: Page) => Promise<unknown>; before?: (page: Page) => Promise<unknown>; settleMs: number },
): Promise<IndexedProfile> {
  const page = await session.browser.newPage();
  try {
    await page.goto(options.warmUrl);
    const cdp = await page.createCDPSession();
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: options.intervalUs });
    await options.before?.(page);
    await cdp.send('Profiler.start');
    await options.act(page);
    await sleep(options.settleMs);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    await cdp.detach().catch(() => undefined);
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    return { ...profile, byId: new Map(profile.nodes.map((n) => [n.id, n])), parent };
  } finally {
    await page.close();
  }
}
