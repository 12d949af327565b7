import type { Browser } from '@/lib/browser';
import { SECURITY_INFO_SUPPORT_KEY, securityInfoFilled, type SecurityInfoProbeDeps } from '@/lib/background/chrome/security-info-support';
import { listenForSecurityInfo } from '@/lib/background/chrome/standard-security-info';
import { patternsForSchemes } from '@/lib/background/request-scope/filters';
import type { RequestEventLike, ScopedRequest } from '@/lib/background/request-scope/registrar';
import { listenForRecognition } from '@/lib/background/recognition-listeners';
import { createUiRequestHandler } from '@/lib/background/ui-requests';
import { browser } from '@/lib/browser';
import { onStorageChanged } from '@/lib/store/settings';
import { listenForFirefoxBlocking, requestError, standardCertificate, STANDARD_SECURITY_INFO_FILTER } from './certificates';
import { createBackground, type Background } from './context';
import { refreshDeepOn, startDeepInspection, tabCreated } from './deep';
import { contentMessage } from './messages';
import { networkScript } from './scripts';
import { committed, installed, navigating, removed, settingsChanged } from './tabs';
import { clearTextRequest, createRedirectWatch, documentHeaders } from './tls';

type RequestFilter = Parameters<Browser['webRequest']['onBeforeRequest']['addListener']>[1];
const ALL: RequestFilter = { urls: ['<all_urls>'] };
const DOCUMENTS = { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] } satisfies RequestFilter;

/**
 * A non-blocking listener for the requests in scope only: in Chrome registered through
 * `bg.requests` (the hosts known to be mail or chat, and the tabs in a session: context.ts), in
 * Firefox for every URL of these schemes as before (its background does not sleep).
 */
const scopedListener =
  (bg: Background) =>
  <D extends ScopedRequest>(event: unknown, handler: (details: D) => void, options: { types?: RequestFilter['types']; schemes?: readonly string[] }) => {
    const types = options.types as string[] | undefined;
    const typed = event as RequestEventLike<D>;
    if (!import.meta.env.FIREFOX) bg.requests.register(typed, handler, { types, schemes: options.schemes, onError: bg.report('registering a network listener') });
    else typed.addListener(handler, { urls: patternsForSchemes(['<all_urls>'], options.schemes), ...(types ? { types } : {}) });
  };

/**
 * Every event tapguard listens to, one line or two each, registered synchronously in the worker's
 * first turn: an MV3 worker woken by an event only delivers it to listeners that exist by then.
 * The order is the order in which listeners of one event run. Each family's adapter sits beside
 * this file; judgement lives in lib/background/monitor.
 */
export default defineBackground(() => {
  const bg = createBackground();
  const { webRequest, webNavigation, runtime, tabs } = browser;
  const scoped = scopedListener(bg);
  runtime.onInstalled.addListener(installed(bg));
  onStorageChanged(settingsChanged(bg));
  // Self-hosted mail and chat (lib/background/recognition-listeners.ts): onHeadersReceived of top
  // documents and onBeforeRequest of a few API paths hint; the recogniser goes in at commit (below).
  const recognition = listenForRecognition(browser, bg.knownMessagingUrl, bg.report);
  // A tab's top-level document commits: its session and verdict start (tabs.ts).
  webNavigation.onCommitted.addListener(committed(bg, recognition));
  // tapguard's own pages read and write settings and the log only through the background.
  runtime.onMessage.addListener(createUiRequestHandler({ db: bg.db, browser: bg.version }));
  // What the content scripts saw on a mail or chat page (messages.ts).
  runtime.onMessage.addListener(contentMessage(bg));
  webRequest.onBeforeRequest.addListener(navigating(bg), { ...ALL, types: ['main_frame'] });
  tabs.onRemoved.addListener(removed(bg, recognition));
  // Chrome deep inspection (deep.ts); its chrome.debugger listeners come when it starts.
  refreshDeepOn(bg)();
  onStorageChanged(refreshDeepOn(bg));
  tabs.onCreated.addListener(tabCreated(bg));
  startDeepInspection(bg)();
  browser.permissions.onAdded.addListener(startDeepInspection(bg));
  // The proposed standard securityInfo, only where a response was seen to carry it
  // (lib/background/chrome/security-info-support.ts): Chromium 156 never fills it. Registered once
  // that is read, so a worker woken by such a response misses that one.
  if (!import.meta.env.FIREFOX) {
    const headersReceived = webRequest.onHeadersReceived as unknown as SecurityInfoProbeDeps['event'];
    void securityInfoFilled({
      browser: bg.version,
      event: headersReceived,
      stored: () => browser.storage.session.get(SECURITY_INFO_SUPPORT_KEY).then((stored) => stored[SECURITY_INFO_SUPPORT_KEY]),
      store: (support) => browser.storage.session.set({ [SECURITY_INFO_SUPPORT_KEY]: support }),
    })
      .then((fills) => fills && listenForSecurityInfo(headersReceived, STANDARD_SECURITY_INFO_FILTER, standardCertificate(bg)))
      .catch(bg.report('securityInfo support'));
  }
  // TLS downgrades (tls.ts): redirects to http:, clear-text requests of messaging pages, their HSTS.
  // Every hop of every redirect is seen (a chain counts from its first URL); the chains' ends and
  // the requests below only in scope (`scoped`, Chrome), so an ordinary page's loads do not wake the worker.
  const redirects = createRedirectWatch(bg);
  webRequest.onBeforeRedirect.addListener(redirects.redirected, DOCUMENTS);
  scoped(webRequest.onCompleted, redirects.ended, { types: DOCUMENTS.types });
  scoped(webRequest.onErrorOccurred, redirects.ended, { types: DOCUMENTS.types });
  scoped(webRequest.onBeforeRequest, clearTextRequest(bg), { schemes: ['http', 'ws'] });
  // Scripts a messaging page loads, seen from the network (scripts.ts).
  scoped(webRequest.onBeforeRequest, networkScript(bg), { types: ['script', 'object'], schemes: ['http', 'https'] });
  webRequest.onHeadersReceived.addListener(documentHeaders(bg), { urls: ['https://*/*'], types: ['main_frame'] }, ['responseHeaders']);
  // Certificate and TLS errors, and sockets refused in a session (certificates.ts).
  webRequest.onErrorOccurred.addListener(requestError(bg), { urls: ['https://*/*', 'wss://*/*'] });
  // Firefox, one blocking onHeadersReceived only for the requests in scope (lib/background/request-scope/scope.ts):
  // each connection's certificate (getSecurityInfo) and script bytes (certificates.ts).
  if (import.meta.env.FIREFOX) listenForFirefoxBlocking(bg, bg.requests);
});
