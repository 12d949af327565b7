import type { Tabs } from 'webextension-polyfill';
import { createDeepInspector, type DebuggerApi } from '@/lib/background/chrome/deep-inspection';
import { deepStatusKey } from '@/lib/background/tab-state';
import { browser } from '@/lib/browser';
import type { Background } from './context';

/*
 * Chrome deep inspection (opt-in, optional `debugger` permission): certificates of the connections
 * of mail and chat tabs from the DevTools protocol, since Chrome's webRequest carries none. Its own listeners
 * (chrome.debugger.onEvent, onDetach) are added when it starts (lib/background/chrome/deep-inspection.ts).
 */

const deepEnabled = (bg: Background) => bg.loadSettings().then((settings) => settings.deepInspection);

/**
 * The setting is kept at hand so that attaching starts in the navigation's own turn: it races
 * the page's response, and a response that wins is not seen (lib/background/chrome/deep-inspection.ts).
 */
export const refreshDeepOn = (bg: Background) => () => void deepEnabled(bg).then((on) => (bg.deep.on = on)).catch(bg.report('deep inspection setting'));

/**
 * A tab's top-level navigation starts ('navigating': attaching then races the page's response) or
 * its new document commits ('committed': a page load ends only there, so a navigation that never
 * commits, a 204, leaves deep inspection as it was).
 */
export function followDeep(bg: Background, tabId: number, url: string, step: 'navigating' | 'committed') {
  const deep = bg.deep.inspector;
  if (!deep) return;
  const follow = (on: boolean) => (step === 'navigating' ? deep.navigating(tabId, url, on) : deep.committed(tabId, url, on));
  if (bg.deep.on !== undefined) void follow(bg.deep.on).catch(bg.report('deep inspection'));
  else void deepEnabled(bg).then(follow).catch(bg.report('deep inspection'));
}

/** A link opened in a new tab: the tab exists, with its address pending, before its request starts. */
export const tabCreated = (bg: Background) => (tab: Tabs.Tab) => {
  const pending = (tab as { pendingUrl?: string }).pendingUrl;
  if (tab.id !== undefined && pending) followDeep(bg, tab.id, pending, 'navigating');
};

/** Starts deep inspection once the `debugger` permission is there (at start, or when granted). */
export const startDeepInspection = (bg: Background) => () => {
  const api = (globalThis as { chrome?: { debugger?: DebuggerApi } }).chrome?.debugger;
  if (import.meta.env.FIREFOX || bg.deep.inspector || !api) return;
  bg.deep.inspector = createDeepInspector({
    api,
    isMessagingUrl: bg.isMessagingUrl,
    // The tab's messaging session, as Firefox judges it: every connection of a mail or chat page.
    scopeOf: (tabId, url, type) => bg.isInScope({ url, tabId, type })?.site,
    onCertificate: (tabId, cert, site) => bg.observeAndShow('deep certificate', tabId, bg.monitor.observeCertificate(cert, site)),
    onStatus: (tabId, status) =>
      void (status
        ? browser.storage.session.set({ [deepStatusKey(tabId)]: status })
        : browser.storage.session.remove(deepStatusKey(tabId))
      ).catch(bg.report('deep status')),
  });
};
