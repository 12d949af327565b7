import type { WebNavigation, WebRequest } from 'webextension-polyfill';
import type { listenForRecognition } from '@/lib/background/recognition-listeners';
import { browser } from '@/lib/browser';
import { resolveSiteForUrl } from '@/lib/core/sites';
import { hostOf } from '@/lib/core/url';
import { RETIRED_SITE_LISTS_KEY } from '@/lib/store/settings';
import type { Background } from './context';
import { followDeep } from './deep';

type Recognition = ReturnType<typeof listenForRecognition>;

/** An update leaves behind the site lists of the old format. */
export const installed = (bg: Background) => ({ reason }: { reason: string }) => {
  if (reason === 'update') void browser.storage.local.remove(RETIRED_SITE_LISTS_KEY).catch(bg.report('removing retired data'));
};

/** The settings changed: certificates are judged again, under the new lists. */
export const settingsChanged = (bg: Background) => () => {
  bg.certificateReads.clear();
  void bg.refreshSiteLists();
};

/**
 * A new top-level document: its session and its verdict start here, and nowhere else. The
 * verdict's reset is queued before any await, so no outcome of the new page can precede it.
 */
function topDocumentCommitted(bg: Background, tabId: number, url: string) {
  const lists = bg.lists();
  const site = lists && resolveSiteForUrl(url, lists);
  const reset = bg.tabStates.commit(tabId, hostOf(url), Date.now(), site !== undefined || !lists).then((state) => state && bg.setBadge(tabId, state));
  const session = (lists ? Promise.resolve(site) : bg.refreshSiteLists().then((loaded) => resolveSiteForUrl(url, loaded))).then((resolved) => bg.scopes.commit(tabId, url, resolved));
  return Promise.all([reset, session]);
}

/** A tab's top-level document commits: its session and verdict start, and a hinted page gets the recogniser. */
export const committed = (bg: Background, recognition: Recognition) => (details: WebNavigation.OnCommittedDetailsType) => {
  if (details.frameId !== 0 || details.tabId < 0) return;
  void topDocumentCommitted(bg, details.tabId, details.url).catch(bg.report('new document'));
  recognition.documentCommitted(details);
  followDeep(bg, details.tabId, details.url, 'committed');
};

/** A tab starts a top-level navigation. */
export const navigating = (bg: Background) => (details: WebRequest.OnBeforeRequestDetailsType) => {
  bg.pendingMainFrame.delete(details.tabId);
  bg.requests.navigating(details.tabId, details.url);
  if (bg.learnedScripts && bg.isMessagingUrl(details.url)) bg.learnedScripts.warm(hostOf(details.url));
  // The tab's verdict stays until a new document commits (webNavigation.onCommitted): a
  // navigation that never commits (a 204 answer) must not clear it.
  bg.seenScriptOrigins.reset(details.tabId);
  if (details.tabId < 0) return;
  followDeep(bg, details.tabId, details.url, 'navigating');
};

/** A closed tab: everything kept for it goes. */
export const removed = (bg: Background, recognition: Recognition) => (tabId: number) => {
  recognition.forgetTab(tabId);
  bg.tabStates.forget(tabId);
  void bg.scopes.end(tabId).catch(bg.report('session end'));
  bg.requests.forget(tabId);
  void bg.limiter.forgetTab(tabId).catch(bg.report('source counts'));
  bg.pendingMainFrame.delete(tabId);
  bg.deep.inspector?.forget(tabId);
};
