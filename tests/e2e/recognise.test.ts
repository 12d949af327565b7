import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOGNITION_PAGES } from '../../lab/recognition-pages';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { getStorageLocal, watchedPatterns } from './idb';
import { atLeastMedium, type ExtensionProbe, type LabSession, startLabSessionForSelfHosted, visit } from './scenario-runner';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Self-hosted apps recognised from their DOM in a real browser: the look-alikes of every product
 * leave the host unknown, then one real page makes it known, as the app it is. The lab serves the
 * pages of lab/recognition-pages.ts on a host no other setting names.
 */
describe.each([
  ['chromium', 'owa', 'login'],
  ['firefox', 'nextcloud-talk', 'app'],
] as const)('recognition of self-hosted apps in %s', (browserName, product, pageName) => {
  const host = LAB_HOSTS.evil;
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;

  beforeAll(async () => {
    context = await startLabSessionForSelfHosted(browserName, host);
    ({ lab, session, probe } = context);
  });
  afterAll(() => context?.close());

  it('registers the watch script for Messenger inside Facebook by path (the browser accepts the patterns)', async () => {
    const watched = await watchedPatterns(probe.page);
    expect(watched).toEqual(expect.arrayContaining(['*://www.facebook.com/messages', '*://www.facebook.com/messages/*', '*://meet.google.com/*']));
    expect(watched).not.toContain('*://www.facebook.com/*');
  });

  it(`leaves every look-alike unknown, then recognises a real ${product} page`, async () => {
    const tab = await session.browser.newPage();
    try {
      for (const [id, pages] of Object.entries(RECOGNITION_PAGES)) {
        for (const name of Object.keys(pages.lookalikes)) {
          await tab.goto(lab.url('evil', `/recognition/${id}/lookalike-${name}`), { waitUntil: 'load', timeout: 30_000 });
        }
      }
      // Give the last look-alike's recogniser time to report, were it (wrongly) to recognise it.
      await sleep(1_500);
    } finally {
      await tab.close().catch(() => undefined);
    }
    expect((await getStorageLocal(probe.page)).recognisedHosts ?? {}).toEqual({});
    expect(await probe.visitsOf(host)).toBe(0);

    const real = await visit(session, probe, lab, 'clean', lab.url('evil', `/recognition/${product}/${pageName}`));
    expect(((await getStorageLocal(probe.page)).recognisedHosts as Record<string, string>)[host]).toBe(product);
    // Only the real page was ever observed: no look-alike got through before it.
    expect(await probe.visitsOf(host)).toBe(1);
    expect(real.incidents.filter(atLeastMedium)).toEqual([]);
    expect(real.popup.level).toBe('clear');
    // From now on the host gets the watch script from document_start.
    const deadline = Date.now() + 10_000;
    while (!(await watchedPatterns(probe.page)).includes(`*://${host}/*`) && Date.now() < deadline) await sleep(100);
    expect(await watchedPatterns(probe.page)).toContain(`*://${host}/*`);
  });
});
