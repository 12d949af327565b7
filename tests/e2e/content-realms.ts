/**
 * Which of tapguard's code lives in a page, asked of the browser itself rather than of tapguard
 * (whose own records could be wrong the same way as its code):
 *
 * - Chromium: a CDP session on the page. `Runtime.enable` lists the page's execution contexts,
 *   where a content script's isolated world has the extension's origin; `Debugger.enable` lists
 *   every script parsed in the page, content scripts by their chrome-extension:// URL.
 * - Firefox: its memory reporter, run in the browser's privileged (chrome) context over WebDriver
 *   BiDi (the harness launches Firefox with --remote-allow-system-access). It reports every realm
 *   of every process; a content script's sandbox is named after its expanded principal (the
 *   page's URL and the extension's origin) and `Content Script "tapguard" (ID: …)`. Firefox keeps
 *   that sandbox while the document lives, so a script that ran and stopped (a recogniser that
 *   found nothing) still shows. Two limits: the sandbox is known by the page's URL, not its tab
 *   (a closed tab's sandbox may linger until collected, so ask about a URL no earlier tab loaded),
 *   and it does not name the script file (both scripts share one sandbox).
 */
import type { Page } from 'puppeteer-core';
import type { Session } from './browsers';
import { evaluateInFirefoxChrome } from './firefox-chrome';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ExecutionContext {
  origin: string;
  name: string;
  auxData?: { type?: string };
}

async function chromiumExtensionCode(session: Session, page: Page): Promise<string[]> {
  const origin = session.extensionOrigin!;
  const cdp = await page.createCDPSession();
  const found: string[] = [];
  cdp.on('Runtime.executionContextCreated', (event: { context: ExecutionContext }) => {
    const { context } = event;
    if (context.origin === origin) found.push(`${context.auxData?.type ?? 'context'} world "${context.name}"`);
  });
  cdp.on('Debugger.scriptParsed', (event: { url: string }) => {
    if (event.url.startsWith(`${origin}/`)) found.push(`script ${event.url.slice(origin.length)}`);
  });
  try {
    await cdp.send('Runtime.enable');
    await cdp.send('Debugger.enable');
    // Both domains replay what exists as events right after enabling.
    await sleep(500);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  return [...new Set(found)].sort();
}

// Content-script sandboxes are not window realms: they are reported under js-non-window, named
// after their expanded principal (the page's URL and the extension's origin) and the extension.
const FIREFOX_CONTENT_REALMS = `(async () => {
  const manager = Cc["@mozilla.org/memory-reporter-manager;1"].getService(Ci.nsIMemoryReporterManager);
  const realms = new Set();
  await new Promise((resolve) => manager.getReports((process, path) => {
    const start = path.indexOf('realm([Expanded Principal [');
    if (start < 0 || !path.includes('Content Script')) return;
    const end = path.indexOf(')/', start);
    realms.add(path.slice(start, end < 0 ? undefined : end + 1));
  }, null, resolve, null, false));
  return JSON.stringify([...realms]);
})()`;

async function firefoxExtensionCode(session: Session, url: string): Promise<string[]> {
  const realms = await evaluateInFirefoxChrome(session, FIREFOX_CONTENT_REALMS, "Reading Firefox's memory reporter");
  // The reporter writes URLs with '\' for '/': the page's URL, then the extension's origin.
  const principal = `[Expanded Principal [${url}, ${session.extensionOrigin}/]]`.replace(/\//g, '\\');
  return (JSON.parse(realms) as string[])
    .filter((realm) => realm.includes(principal) && realm.includes('Content Script "tapguard"'))
    .map((realm) => `sandbox ${realm.slice(realm.indexOf('Content Script'), -1)}`);
}

/** What of tapguard's code the browser shows in `page`'s document (loaded at `url`): empty when none. */
export async function extensionCodeIn(session: Session, page: Page, url: string): Promise<string[]> {
  if (!session.extensionOrigin) throw new Error('launched without the extension');
  return session.name === 'chromium' ? chromiumExtensionCode(session, page) : firefoxExtensionCode(session, url);
}
