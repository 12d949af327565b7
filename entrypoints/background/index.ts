import type { Browser } from '@/lib/browser';
import { listenForSecurityInfo, type HeadersReceivedEvent } from '@/lib/background/chrome/standard-security-info';
import { listenForRecognition } from '@/lib/background/recognition-listeners';
import { createUiRequestHandler } from '@/lib/background/ui-requests';
import { browser } from '@/lib/browser';
import { onStorageChanged } from '@/lib/store/settings';
import { listenForFirefoxBlocking, requestError, standardCertificate, STANDARD_SECURITY_INFO_FILTER } from './certificates';
import { createBackground } from './context';
import { refreshDeepOn, startDeepInspection, tabCreated } from './deep';
import { contentMessage } from './messages';
import { networkScript } from './scripts';
import { committed, installed, navigating, removed, settingsChanged } from './tabs';
import { clearTextRequest, createRedirectWatch, documentHeaders } from './tls';

type RequestFilter = Parameters<Browser['webRequest']['onBeforeRequest']['addListener']>[1];
const ALL: RequestFilter = { urls: ['<all_urls>'] };
const DOCUMENTS: RequestFilter = { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] };

/**
 * Every event tapguard listens to, one line or two each, registered synchronously in the worker's
 * first turn: an MV3 worker woken by an event only delivers it to listeners that exist by then.
 * The order is the order in which listeners of one event run. Each family's adapter sits beside
 * this file; judgement lives in lib/background/monitor.
 */
export default defineBackground(() => {
  const bg = createBackground();
  const { webRequest, webNavigation, runtime, tabs } = browser;
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
  if (!import.meta.env.FIREFOX) listenForSecurityInfo(webRequest.onHeadersReceived as unknown as HeadersReceivedEvent, STANDARD_SECURITY_INFO_FILTER, standardCertificate(bg));
  // TLS downgrades (tls.ts): redirects to http:, clear-text requests of messaging pages, their HSTS.
  const redirects = createRedirectWatch(bg);
  webRequest.onBeforeRedirect.addListener(redirects.redirected, DOCUMENTS);
  webRequest.onCompleted.addListener(redirects.ended, DOCUMENTS);
  webRequest.onErrorOccurred.addListener(redirects.ended, DOCUMENTS);
  webRequest.onBeforeRequest.addListener(clearTextRequest(bg), { urls: ['http://*/*', 'ws://*/*'] });
  // Scripts a messaging page loads, seen from the network (scripts.ts).
  webRequest.onBeforeRequest.addListener(networkScript(bg), { urls: ['http://*/*', 'https://*/*'], types: ['script', 'object'] });
  webRequest.onHeadersReceived.addListener(documentHeaders(bg), { urls: ['https://*/*'], types: ['main_frame'] }, ['responseHeaders']);
  // Certificate and TLS errors, and sockets refused in a session (certificates.ts).
  webRequest.onErrorOccurred.addListener(requestError(bg), { urls: ['https://*/*', 'wss://*/*'] });
  // Firefox, one blocking onHeadersReceived only for the requests in scope (lib/background/firefox/blocking-scope.ts):
  // each connection's certificate (getSecurityInfo) and script bytes (certificates.ts).
  if (import.meta.env.FIREFOX && bg.blocking) listenForFirefoxBlocking(bg, bg.blocking);
});
