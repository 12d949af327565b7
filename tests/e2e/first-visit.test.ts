import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { extensionCodeIn } from './content-realms';
import { getStorageLocal, watchedPatterns } from './idb';
import { atLeastMedium, type ExtensionProbe, type LabSession, startLabSessionForSelfHosted, visit } from './scenario-runner';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * No tapguard code on pages not known to be mail or chat (issue 18): a self-hosted webmail on a
 * host tapguard has never seen is hinted by its response (Exchange's X-OWA-Version header),
 * confirmed by the DOM recogniser injected into that page only, and watched from document_start
 * on its next load; an ordinary page in the same browser gets no content script at all. Which
 * code a page holds is asked of the browser (tests/e2e/content-realms.ts), not of tapguard.
 */
describe.each(['chromium', 'firefox'] as const)('first visit to a self-hosted webmail in %s', (browserName) => {
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

  /** Loads `url` in a tab of its own and says which of tapguard's code the browser shows in it. */
  const codeOnPage = async (url: string) => {
    const tab = await session.browser.newPage();
    try {
      await tab.goto(url, { waitUntil: 'load', timeout: 30_000 });
      // Time for an injection that follows DOMContentLoaded, were there (wrongly) one.
      await sleep(1_500);
      return await extensionCodeIn(session, tab, url);
    } finally {
      await tab.close().catch(() => undefined);
    }
  };

  it('puts no content script into an ordinary page', async () => {
    // A blog post on a host no list names, and the lab's recipe page with its frames.
    for (const url of [lab.url('evil', '/recognition/owa/lookalike-blog'), lab.url('evil', '/recipes.html')]) {
      expect(await codeOnPage(url), url).toEqual([]);
    }
    expect(await probe.visitsOf(host)).toBe(0);
  });

  it('injects the recogniser into a hinted page that is not mail, which stays unknown (a hint is not a verdict)', async () => {
    // Nextcloud Files: a real Nextcloud, with Nextcloud's cookies, but not its mail or chat app.
    const url = lab.url('evil', '/recognition/nextcloud-mail/lookalike-nextcloud-files');
    const code = await codeOnPage(url);
    expect(code.length).toBeGreaterThan(0);
    if (browserName === 'chromium') expect(code).toContain('script /content-scripts/recognise.js');
    expect((await getStorageLocal(probe.page)).recognisedHosts ?? {}).toEqual({});
    expect(await probe.visitsOf(host)).toBe(0);
  });

  it('recognises the webmail on its first visit, from the recogniser injected into it', async () => {
    const url = lab.url('evil', '/recognition/owa/login');
    const tab = await session.browser.newPage();
    try {
      const first = await visit(session, probe, lab, 'clean', url, tab);
      expect(((await getStorageLocal(probe.page)).recognisedHosts as Record<string, string>)[host]).toBe('owa');
      expect(await probe.visitsOf(host)).toBe(1);
      expect(first.incidents.filter(atLeastMedium)).toEqual([]);
      const code = await extensionCodeIn(session, tab, url);
      // The check can see tapguard where it is (so its empty answers above mean something).
      expect(code.length).toBeGreaterThan(0);
      if (browserName === 'chromium') expect(code).toEqual(expect.arrayContaining(['script /content-scripts/recognise.js', 'isolated world "tapguard"']));
    } finally {
      await tab.close().catch(() => undefined);
    }
  });

  it('watches the recognised host from document_start on its next load', async () => {
    const deadline = Date.now() + 10_000;
    while (!(await watchedPatterns(probe.page)).includes(`*://${host}/*`) && Date.now() < deadline) await sleep(100);
    expect(await watchedPatterns(probe.page)).toContain(`*://${host}/*`);
    // Another page of the app (Firefox knows a sandbox by its page's URL: see content-realms.ts).
    const url = lab.url('evil', '/recognition/owa/app');
    const tab = await session.browser.newPage();
    try {
      const next = await visit(session, probe, lab, 'clean', url, tab);
      expect(await probe.visitsOf(host)).toBe(2);
      expect(next.popup.level).toBe('clear');
      const code = await extensionCodeIn(session, tab, url);
      expect(code.length).toBeGreaterThan(0);
      if (browserName === 'chromium') {
        expect(code).toContain('script /content-scripts/watch.js');
        expect(code).not.toContain('script /content-scripts/recognise.js');
      }
    } finally {
      await tab.close().catch(() => undefined);
    }
  });
});

/**
 * An app whose server marks nothing (Element Web is static files) is hinted by a request only its
 * page makes: the client's first call to its Matrix homeserver (`/_matrix/client/versions`), which
 * the browser hands tapguard through a URL filter. The page is then recognised on its first visit.
 */
describe.each(['chromium', 'firefox'] as const)('first visit to a self-hosted web chat hinted by its API request in %s', (browserName) => {
  const host = LAB_HOSTS.evil;
  let context: LabSession;

  beforeAll(async () => {
    context = await startLabSessionForSelfHosted(browserName, host);
  });
  afterAll(() => context?.close());

  it('recognises Element Web from its homeserver request, with the recogniser injected into it', async () => {
    const { session, probe, lab } = context;
    const url = lab.url('evil', '/recognition/element-web/app');
    const tab = await session.browser.newPage();
    try {
      const first = await visit(session, probe, lab, 'clean', url, tab);
      expect(((await getStorageLocal(probe.page)).recognisedHosts as Record<string, string>)[host]).toBe('element-web');
      expect(await probe.visitsOf(host)).toBe(1);
      expect(first.incidents.filter(atLeastMedium)).toEqual([]);
      const code = await extensionCodeIn(session, tab, url);
      expect(code.length).toBeGreaterThan(0);
      if (browserName === 'chromium') expect(code).toContain('script /content-scripts/recognise.js');
    } finally {
      await tab.close().catch(() => undefined);
    }
  });
});
