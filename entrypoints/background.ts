import type { Runtime, WebRequest } from 'webextension-polyfill';
import { badgeFor } from '@/lib/core/badge';
import { createDeepInspector, type DebuggerApi } from '@/lib/background/chrome/deep-inspection';
import { startCollector } from '@/lib/background/collector/background';
import { listenForSecurityInfo, type HeadersReceivedEvent } from '@/lib/background/chrome/standard-security-info';
import { createContentScriptSync, type ScriptingApi } from '@/lib/background/content-scripts';
import { listenForRecognition } from '@/lib/background/recognition-listeners';
import { browser } from '@/lib/browser';
import { hasLearnedBaseline } from '@/lib/core/baseline';
import { openDb } from '@/lib/store/db';
import { classifyRequestError } from '@/lib/core/detect/cert-error';
import { looksImmutable, scriptBytesKey } from '@/lib/core/detect/scripts';
import { hashStream, type StreamFilterLike } from '@/lib/background/firefox/script-bytes';
import { createBlockingScope } from '@/lib/background/firefox/blocking-scope';
import type { BlockingEventLike } from '@/lib/background/firefox/blocking-registrar';
import { certObservationFromSecurityInfo, type FirefoxSecurityInfo } from '@/lib/background/firefox/security-info';
import { createJudgedCertificates } from '@/lib/background/cert-cache';
import { createCertificateReads, SECURITY_INFO_OPTIONS } from '@/lib/background/firefox/certificate-reads';
import { createLearnedScripts, type LearnedScripts } from '@/lib/background/firefox/learned-scripts';
import { isUnexplainedSocketFailure } from '@/lib/core/detect/refused-connection';
import { recordPageEvents } from '@/lib/store/event-log';
import { createRecorder, newCriticalIncidents } from '@/lib/store/incidents';
import { validateContentMessage } from '@/lib/messages';
import { isUiRequest } from '@/lib/ui-messages';
import { createUiRequestHandler } from '@/lib/background/ui-requests';
import { createMonitor, type Outcome } from '@/lib/background/monitor';
import { createSeenScriptOrigins, messagingPageOfRequest, networkScriptRef, type RequestOrigin } from '@/lib/background/network-inventory';
import type { HeadersObservation } from '@/lib/core/observations';
import { addRecognisedHost, loadSettings, loadSiteLists, onStorageChanged, RETIRED_SITE_LISTS_KEY } from '@/lib/store/settings';
import { applyRetention } from '@/lib/store/retention';
import { pageUrlOfSender } from '@/lib/background/sender';
import { resolveSite, resolveSiteForUrl, type SiteLists } from '@/lib/core/sites';
import { createSessionScopes, scopeOf, type ScopedRequest } from '@/lib/background/session-scope';
import { createSourceLimiter, limitBySource, type SourceRef } from '@/lib/background/source-limit';
import { createTabStates, deepStatusKey, type OutcomeOrigin, type TabState } from '@/lib/background/tab-state';
import { hostOf, originOf } from '@/lib/core/url';
import { isWorkerStopped, reportFailure } from '@/lib/background/failures';

/**
 * Everything tapguard listens to is registered here, synchronously, before any await: an MV3
 * worker woken by an event only delivers it to listeners that exist by the end of its first turn.
 * Judgement lives in lib/background/monitor; this file only turns browser events into observations.
 */
export default defineBackground(() => {
  const browserName = import.meta.env.FIREFOX ? 'firefox' : 'chrome';
  const version = navigator.userAgent.match(/(Firefox|Chrome)\/[\d.]+/)?.[0] ?? browserName;
  const db = openDb();
  const report = (what: string) => (error: unknown) => reportFailure(what, error);
  // The organisation collector (lib/background/collector): silent unless a managed policy sets one.
  const collector = startCollector(db, report);
  const recorder = collector.feeding(createRecorder(db, { browser: version }));
  const monitor = createMonitor({
    db,
    recorder,
    loadSiteLists,
    loadSettings,
    // A host with a learned baseline is never pushed out of the list by look-alikes.
    rememberRecognisedHost: (host, id) => addRecognisedHost(host, id, async (known) => hasLearnedBaseline(await db.baselines.get(known))),
    now: Date.now,
    // Without the optional `management` permission the API is absent (Chrome) or refuses (Firefox).
    installedExtensions: async () => (browser.management?.getAll ? await browser.management.getAll() : undefined),
  });
  // Retention by age and count whenever the background starts (also after every worker wake-up:
  // cheap when nothing is due, since it reads only the oldest keys).
  void loadSettings().then((settings) => applyRetention(db, settings, Date.now())).catch(report('retention'));

  // A synchronous view of the site lists, so listeners can drop other browsing without awaiting.
  let siteLists: SiteLists | undefined;
  // Content scripts are registered from the lists (lib/background/content-scripts.ts), not in the manifest.
  const syncContentScripts = createContentScriptSync(browser.scripting as unknown as ScriptingApi);
  const refreshSiteLists = async (): Promise<SiteLists> => {
    const lists = await loadSiteLists();
    siteLists = lists;
    blocking?.refresh();
    void syncContentScripts(lists).catch(report('registering the content scripts'));
    return lists;
  };
  void refreshSiteLists();
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'update') void browser.storage.local.remove(RETIRED_SITE_LISTS_KEY).catch(report('removing retired data'));
  });
  // Certificates judged per connection (Firefox), judged again when the settings change.
  const certificateReads = createCertificateReads(createJudgedCertificates());
  onStorageChanged(() => {
    certificateReads.clear();
    void refreshSiteLists();
  });
  /** False only when the host is certainly not mail or chat; unknown until the lists load. */
  const mayBeMessaging = (url: string | undefined) => !url || !siteLists || resolveSiteForUrl(url, siteLists) !== undefined;
  /** True only when the lists are loaded and say the URL is mail or chat. */
  const isMessagingUrl = (url: string) => Boolean(siteLists && resolveSiteForUrl(url, siteLists));
  // Each tab's messaging session (lib/background/session-scope.ts): every request of a mail or chat page.
  const scopes = createSessionScopes(() => blocking?.refresh());
  // Firefox's blocking listeners see only the requests in scope (lib/background/firefox/blocking-scope.ts).
  const blocking = import.meta.env.FIREFOX ? createBlockingScope({ lists: () => siteLists, sessionTabs: () => scopes.tabs(), isMessagingUrl }) : undefined;
  // Firefox's script-bytes check answers from memory which scripts were learned (lib/background/firefox/learned-scripts.ts).
  const learnedScripts = blocking
    ? createLearnedScripts({ load: async (host) => Object.keys((await db.baselines.get(host))?.scriptBytes ?? {}), keyOf: scriptBytesKey, onError: report('learned scripts') })
    : undefined;
  const inScope = (request: ScopedRequest) => (siteLists ? scopeOf(request, scopes.get, siteLists) : undefined);
  // New incidents per source (tab, frame, origin) are limited (lib/background/source-limit.ts).
  const limiter = createSourceLimiter(browser.storage.session, Date.now);
  const limited = <T extends Outcome>(source: SourceRef, observe: () => Promise<T>) => limitBySource(limiter, recorder, source, observe);
  const requestSource = (details: { tabId: number; frameId: number; url: string; documentUrl?: string; initiator?: string }): SourceRef => ({
    tabId: details.tabId,
    frameId: details.frameId,
    origin: originOf(details.documentUrl ?? details.initiator ?? details.url),
  });
  /** Where a request's outcome belongs in its tab's state: its navigation's document, or the current one. */
  const requestOrigin = (details: { type: string; url: string; timeStamp: number }): OutcomeOrigin | undefined =>
    details.type === 'main_frame' ? { navigation: true, host: hostOf(details.url), startedAt: details.timeStamp } : undefined;

  // New critical incidents only (never repeats), and only when the user opted in and granted it.
  const notifyCritical = (outcome: Outcome) => {
    for (const incident of newCriticalIncidents(outcome.recorded)) {
      void browser.notifications
        ?.create(`tapguard-${incident.id}`, { type: 'basic', iconUrl: browser.runtime.getURL('/icon/128.png'), title: incident.title, message: incident.advice })
        .catch(report('notification'));
    }
  };

  // What each tab's page has shown, for its badge and its popup verdict.
  const tabStates = createTabStates();
  // A main frame's headers arrive before its page can say it is self-hosted mail; they wait
  // here, in memory and for that tab only, until the page has been judged.
  const pendingMainFrame = new Map<number, HeadersObservation>();
  const seenScriptOrigins = createSeenScriptOrigins();
  const action = browser.action ?? browser.browserAction;
  // What the user marked as expected stays in the log and the popup, but no longer badges.
  const setBadge = async (tabId: number, state: TabState) => {
    const { expectedKeys } = await loadSettings();
    const badge = badgeFor(Object.entries(state.findings).filter(([key]) => !expectedKeys.includes(key)).map(([, severity]) => severity));
    await action.setBadgeText({ tabId, text: badge.text }).catch(() => undefined);
    if (badge.text) await action.setBadgeBackgroundColor({ tabId, color: badge.color }).catch(() => undefined);
  };
  /**
   * `origin`: which document of the tab the outcome belongs to (lib/background/tab-state.ts); default the current one.
   * `events`: when to group the page's findings into events (lib/core/events.ts). What arrives before
   * the page's own report (its headers with a loosened CSP, its certificate, its sockets) waits for
   * it ('if-judged'), so it joins the event it belongs to; the page's report groups everything so
   * far ('page'); a failed load never reports, so its errors are grouped at once ('now').
   */
  const show = (tabId: number | undefined, origin?: OutcomeOrigin, events: 'page' | 'now' | 'if-judged' = 'if-judged') => async (outcome: Outcome) => {
    if (tabId === undefined || tabId < 0 || !outcome.site) return;
    const state = outcome.recorded.length ? await tabStates.add(tabId, origin ?? { host: outcome.site.host }, outcome.recorded) : undefined;
    const pageHost = state?.host ?? (origin && !origin.navigation ? (origin.topHost ?? origin.host) : outcome.site.host);
    if (state || events === 'page')
      await tabStates
        .addEvents(tabId, pageHost, events, (page) => recordPageEvents(db, Object.keys(page.findings), page.events ?? [], { browser: version }))
        .catch(report('recording events'));
    if (!state) return;
    const { notifications } = await loadSettings();
    if (notifications) notifyCritical(outcome);
    await setBadge(tabId, state);
  };
  /**
   * A new top-level document: its session and its verdict start here, and nowhere else. The
   * verdict's reset is queued before any await, so no outcome of the new page can precede it.
   */
  const topDocumentCommitted = (tabId: number, url: string, site = siteLists && resolveSiteForUrl(url, siteLists)) => {
    const reset = tabStates.commit(tabId, hostOf(url), Date.now(), site !== undefined || !siteLists).then((state) => state && setBadge(tabId, state));
    const session = (siteLists ? Promise.resolve(site) : refreshSiteLists().then((lists) => resolveSiteForUrl(url, lists))).then((resolved) => scopes.commit(tabId, url, resolved));
    return Promise.all([reset, session]);
  };
  // Self-hosted mail and chat: hinted by a page's response or API requests, then confirmed by the DOM
  // recogniser injected into that page only; no other page gets tapguard code (lib/background/recognition.ts).
  const recognition = listenForRecognition(browser, (url) => (siteLists ? isMessagingUrl(url) : undefined), report);
  browser.webNavigation.onCommitted.addListener((details) => {
    if (details.frameId !== 0 || details.tabId < 0) return;
    void topDocumentCommitted(details.tabId, details.url).catch(report('new document'));
    recognition.documentCommitted(details);
  });

  const recorded = () => ({ recorded: true });
  // An error here is tapguard's own, and sending the message again would only repeat it; unless
  // the browser stopped the worker meanwhile: then the rejection makes the content script re-send.
  const failed = (what: string) => (error: unknown) => {
    report(what)(error);
    if (isWorkerStopped(error)) throw error;
    return { recorded: false };
  };

  // tapguard's own pages read and write settings and the log only through the background.
  browser.runtime.onMessage.addListener(createUiRequestHandler({ db, browser: version }));
  browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
    if (sender.id !== browser.runtime.id || sender.tab?.id === undefined || !sender.url || isUiRequest(raw)) return;
    const validated = validateContentMessage(raw);
    if (!validated.ok) {
      console.warn(`tapguard: dropped a malformed message from tab ${sender.tab.id}: ${validated.reason}`);
      return;
    }
    const message = validated.message;
    // The browser's word for where the message came from beats the message's own claim.
    const url = pageUrlOfSender(sender, message.url);
    if (!url) {
      console.warn('tapguard: dropped a message whose url does not match its sender');
      return;
    }
    const tabId = sender.tab.id;
    // A frame's first inventory is, for the tab, elements added to it: the tab's verdict and
    // visit count belong to its top document.
    // The answer comes once the message is recorded: a content script whose send fails (the
    // worker was stopped meanwhile) sends it again (lib/content/deliver.ts).
    const source: SourceRef = { tabId, frameId: sender.frameId ?? 0, origin: originOf(url) };
    if (message.type === 'elements-added' || sender.frameId !== 0) {
      // What a frame showed belongs to the tab's page in the popup, whatever host the frame is on.
      const tabHost = sender.frameId !== 0 && sender.tab.url ? hostOf(sender.tab.url) : hostOf(url);
      return limited(source, () => monitor.observeScripts(url, message.scripts, message.forms, message.frames, message.violations, message.scriptBudgetExceeded))
        .then(show(tabId, { host: hostOf(url), topHost: tabHost }))
        .then(recorded, failed('page change'));
    }
    const pendingHeaders = pendingMainFrame.get(tabId);
    pendingMainFrame.delete(tabId);
    // The page's own URL comes from the browser (sender.url), not from the message.
    const { type: _type, url: _claimed, ...parts } = message;
    const page = { host: hostOf(url), topHost: hostOf(url) };
    return limited(source, () => monitor.observePage({ ...parts, url }))
      .then(async (outcome) => {
        // A self-hosted page recognised only now: its session starts with its first observation.
        if (outcome.site && scopes.get(tabId)?.site.host !== outcome.site.host) await scopes.commit(tabId, url, outcome.site);
        await show(tabId, page, 'page')(outcome);
        if (outcome.site && pendingHeaders && hostOf(pendingHeaders.url) === outcome.site.host) await show(tabId, page)(await monitor.observeHeaders(pendingHeaders));
      })
      .then(recorded, failed('page observation'));
  });

  browser.webRequest.onBeforeRequest.addListener(
    (details) => {
      pendingMainFrame.delete(details.tabId);
      blocking?.navigating(details.tabId, details.url);
      if (learnedScripts && isMessagingUrl(details.url)) learnedScripts.warm(hostOf(details.url));
      // The tab's verdict stays until a new document commits (webNavigation.onCommitted): a
      // navigation that never commits (a 204 answer) must not clear it.
      seenScriptOrigins.reset(details.tabId);
      if (details.tabId < 0) return;
      followDeep(details.tabId, details.url);
    },
    { urls: ['<all_urls>'], types: ['main_frame'] },
  );
  browser.tabs.onRemoved.addListener((tabId) => {
    recognition.forgetTab(tabId);
    tabStates.forget(tabId);
    void scopes.end(tabId).catch(report('session end'));
    blocking?.forget(tabId);
    void limiter.forgetTab(tabId).catch(report('source counts'));
    pendingMainFrame.delete(tabId);
    deep?.forget(tabId);
  });

  // Chrome deep inspection (opt-in, optional `debugger` permission): certificates of mail and chat
  // tabs from the DevTools protocol, since Chrome's webRequest carries none.
  let deep: ReturnType<typeof createDeepInspector> | undefined;
  const deepEnabled = () => loadSettings().then((settings) => settings.deepInspection);
  // The setting is kept at hand so that attaching starts in the navigation's own turn: it races
  // the page's response, and a response that wins is not seen (lib/background/chrome/deep-inspection.ts).
  let deepOn: boolean | undefined;
  const refreshDeepOn = () => void deepEnabled().then((on) => (deepOn = on)).catch(report('deep inspection setting'));
  const followDeep = (tabId: number, url: string) => {
    if (!deep) return;
    if (deepOn !== undefined) void deep.follow(tabId, url, deepOn).catch(report('deep inspection'));
    else void deepEnabled().then((on) => deep?.follow(tabId, url, on)).catch(report('deep inspection'));
  };
  refreshDeepOn();
  onStorageChanged(refreshDeepOn);
  // A link opened in a new tab: the tab exists, with its address pending, before its request starts.
  browser.tabs.onCreated.addListener((tab) => {
    const pending = (tab as { pendingUrl?: string }).pendingUrl;
    if (tab.id !== undefined && pending) followDeep(tab.id, pending);
  });
  const startDeepInspection = () => {
    const api = (globalThis as { chrome?: { debugger?: DebuggerApi } }).chrome?.debugger;
    if (import.meta.env.FIREFOX || deep || !api) return;
    deep = createDeepInspector({
      api,
      isMessagingUrl,
      onCertificate: (tabId, cert) => void monitor.observeCertificate(cert).then(show(tabId)).catch(report('deep certificate')),
      onStatus: (tabId, status) =>
        void (status
          ? browser.storage.session.set({ [deepStatusKey(tabId)]: status })
          : browser.storage.session.remove(deepStatusKey(tabId))
        ).catch(report('deep status')),
    });
  };
  startDeepInspection();
  browser.permissions.onAdded.addListener(startDeepInspection);
  // The proposed standard webRequest securityInfo (w3c/webextensions#882), where a browser offers
  // it: leaves judged without the debugger, unless deep inspection (which reads whole chains) is on.
  // Chromium 156 accepts the option but sends no securityInfo yet (measured): nothing happens then.
  if (!import.meta.env.FIREFOX) {
    const types = ['main_frame', 'sub_frame', 'xmlhttprequest', 'websocket'];
    listenForSecurityInfo(browser.webRequest.onHeadersReceived as unknown as HeadersReceivedEvent, { urls: ['https://*/*', 'wss://*/*'], types }, (tabId, cert) => {
      if (tabId < 0 || (deep && deepOn !== false) || !isMessagingUrl(cert.url)) return;
      monitor.observeCertificate(cert).then(show(tabId)).catch(report('standard certificate'));
      const judged = { host: hostOf(cert.url), what: cert.resourceType === 'main_frame' ? 'page' : 'request', source: 'webrequest' };
      void browser.storage.session.set({ [deepStatusKey(tabId)]: { state: 'standard', judged: [judged] } }).catch(report('certificate source'));
    });
  }

  // Downgrading redirects. The first URL of each chain is kept only while the chain runs.
  const chainStart = new Map<string, string>();
  browser.webRequest.onBeforeRedirect.addListener(
    (details) => {
      const firstUrl = chainStart.get(details.requestId) ?? details.url;
      if (chainStart.size > 500) chainStart.clear();
      chainStart.set(details.requestId, firstUrl);
      if (!details.redirectUrl.startsWith('http:')) return;
      // A frame's chain counts in a watched tab; a top-level one only from a watched https URL.
      const session = details.type === 'sub_frame' && details.tabId >= 0 ? scopes.get(details.tabId) : undefined;
      if (!session && !mayBeMessaging(firstUrl)) return;
      limited(requestSource(details), () => monitor.observeRedirect({ firstUrl, fromUrl: details.url, toUrl: details.redirectUrl, resourceType: details.type }, session?.site))
        // A top-level chain belongs to the document it leads to.
        .then(show(details.tabId, requestOrigin({ ...details, url: details.redirectUrl })))
        .catch(report('redirect observation'));
    },
    { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] },
  );
  const endChain = (details: { requestId: string }) => void chainStart.delete(details.requestId);
  browser.webRequest.onCompleted.addListener(endChain, { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] });
  browser.webRequest.onErrorOccurred.addListener(endChain, { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] });

  // Clear-text sockets and subresources requested by messaging pages.
  browser.webRequest.onBeforeRequest.addListener(
    (details) => {
      const pageUrl = details.documentUrl ?? (details as { initiator?: string }).initiator;
      const scope = details.type === 'main_frame' ? undefined : inScope({ ...details, url: pageUrl ?? details.url });
      if (!pageUrl || (!mayBeMessaging(pageUrl) && !scope)) return;
      limited(requestSource(details), () => monitor.observeRequest({ url: details.url, pageUrl, resourceType: details.type }, scope?.site))
        .then(show(details.tabId))
        .catch(report('request observation'));
    },
    { urls: ['http://*/*', 'ws://*/*'] },
  );

  // The network's inventory of messaging pages' code (lib/background/network-inventory.ts): what the DOM
  // walk cannot see (self-removed elements, import(), workers) is judged like the DOM's.
  browser.webRequest.onBeforeRequest.addListener(
    (details) => {
      const pageUrl = messagingPageOfRequest(details as RequestOrigin, isMessagingUrl);
      const script = pageUrl && networkScriptRef(details.url, pageUrl);
      if (!pageUrl || !script || !seenScriptOrigins.first(details.tabId, pageUrl, details.url)) return;
      monitor.observeNetworkScript(pageUrl, script).then(show(details.tabId)).catch(report('network script observation'));
    },
    { urls: ['http://*/*', 'https://*/*'], types: ['script', 'object'] },
  );

  // Security headers of messaging documents (HSTS now; CSP is read by the script-injection family).
  browser.webRequest.onHeadersReceived.addListener(
    (details) => {
      // Only a page's own response says what protection it has: redirects and errors carry no CSP.
      if (details.statusCode < 200 || details.statusCode >= 300) return;
      const header = (name: string) =>
        details.responseHeaders?.find((h) => h.name.toLowerCase() === name)?.value ?? null;
      // Every CSP header is enforced, so all of them are read, joined as one list of policies.
      const csp = details.responseHeaders?.filter((h) => h.name.toLowerCase() === 'content-security-policy' && h.value !== undefined).map((h) => h.value!);
      const headers: HeadersObservation = {
        url: details.url,
        strictTransportSecurity: header('strict-transport-security'),
        contentSecurityPolicy: csp?.length ? csp.join(', ') : null,
      };
      if (!isMessagingUrl(details.url)) {
        if (details.tabId >= 0) pendingMainFrame.set(details.tabId, headers);
        return;
      }
      monitor.observeHeaders(headers).then(show(details.tabId, requestOrigin(details))).catch(report('header observation'));
    },
    { urls: ['https://*/*'], types: ['main_frame'] },
    ['responseHeaders'],
  );

  // Script bytes: only Firefox lets extensions read response bodies (webRequest.filterResponseData).
  type HeadersDetails = WebRequest.OnHeadersReceivedDetailsType;
  const headersReceived = browser.webRequest.onHeadersReceived as unknown as BlockingEventLike<HeadersDetails>;
  const checkScriptBytes = (learned: LearnedScripts, details: HeadersDetails) => {
    const pageUrl = details.documentUrl;
    // Every 2xx answer carries the script's bytes (a proxy can answer 203 as well as 200).
    if (!pageUrl || details.statusCode < 200 || details.statusCode >= 300 || !isMessagingUrl(pageUrl)) return undefined;
    const cacheControl = details.responseHeaders?.find((h) => h.name.toLowerCase() === 'cache-control')?.value ?? null;
    const immutable = looksImmutable(details.url, cacheControl);
    const hashBytes = () => {
      const filter = browser.webRequest.filterResponseData(details.requestId) as unknown as StreamFilterLike;
      const observe = (sha256?: string) =>
        monitor
          .observeScriptBytes({ url: details.url, pageUrl, ...(sha256 ? { sha256 } : {}), immutable })
          .then(show(details.tabId))
          .catch(report('script bytes'))
          .finally(() => learned.refresh(hostOf(pageUrl)));
      hashStream(filter, observe, () => observe());
      return {};
    };
    // Bytes only matter for scripts that promise never to change; the rest are not streamed
    // through the extension at all: streaming them cost page-load time and told the detector
    // nothing. A URL learned as immutable stays checked when its header goes; which URLs were
    // learned is answered from memory, so only the first script of a page host not read yet
    // waits for IndexedDB.
    if (immutable) return hashBytes();
    const known = learned.isLearned(hostOf(pageUrl), details.url);
    if (typeof known === 'boolean') return known ? hashBytes() : undefined;
    return known.then(
      (yes) => (yes ? hashBytes() : {}),
      () => ({}),
    );
  };

  // Certificate and TLS errors on messaging hosts, in both browsers: the connection failed, so
  // there is no certificate to read, only the browser's error string. Everything else that fails
  // (aborted loads, DNS, resets) is dropped by a string test before any work.
  // Chromium reports a socket refused for its certificate only as net::ERR_FAILED: see
  // lib/core/detect/refused-connection.ts.
  browser.webRequest.onErrorOccurred.addListener(
    (details) => {
      const certificate = classifyRequestError(details.error) !== undefined;
      if (!certificate && !isUnexplainedSocketFailure(details.error, details.type)) return;
      const scope = inScope(details);
      if (!scope && !(certificate && mayBeMessaging(details.url))) return;
      const pageSite = scopes.get(details.tabId)?.site ?? (scope?.pageHost !== undefined ? resolveSite(scope.pageHost, siteLists!) : undefined);
      const observe = certificate
        ? () => monitor.observeRequestError(details.url, details.error, details.type, scope?.site)
        : () => (pageSite ? monitor.observeRefusedConnection({ url: details.url, error: details.error, resourceType: details.type, pageHost: pageSite.host, pageName: pageSite.name }, pageSite) : Promise.resolve({ recorded: [] }));
      limited(requestSource(details), observe)
        .then(show(details.tabId, requestOrigin(details), 'now'))
        .catch(report('certificate error observation'));
    },
    { urls: ['https://*/*', 'wss://*/*'] },
  );

  // Certificates: only Firefox lets extensions read them (webRequest.getSecurityInfo, blocking);
  // script bytes (above) are read by the same listener.
  if (blocking) {
    const inspect = async (details: HeadersDetails, read: Promise<unknown>) => {
      const cert = certObservationFromSecurityInfo(details, (await read) as FirefoxSecurityInfo);
      if (!cert) return;
      const lists = siteLists ?? (await refreshSiteLists());
      const scope = scopeOf(details, scopes.get, lists);
      if (!scope) return;
      const outcome = await certificateReads.outcomeFor(cert, scope.site, () => limited(requestSource(details), () => monitor.observeCertificate(cert, scope.site)));
      await show(details.tabId, requestOrigin(details))(outcome);
    };

    const checkCertificate = (details: HeadersDetails) => {
      if (!details.url.startsWith('https:') && !details.url.startsWith('wss:')) return;
      // Only requests of mail and chat hosts and of tabs in a session reach this listener at all
      // (lib/background/firefox/blocking-scope.ts). What is not in scope returns at once. That
      // includes the first page of a self-hosted webmail not yet recognised: its certificate is
      // checked from its next request on.
      if (!mayBeMessaging(details.url) && !inScope(details)) return;
      // Asked in this turn, Firefox answers with the request's certificate although the request
      // is not held: nothing is returned, so no request waits for the check
      // (lib/background/firefox/certificate-reads.ts).
      const read = browser.webRequest.getSecurityInfo(details.requestId, SECURITY_INFO_OPTIONS);
      void inspect(details, read).catch(report('certificate check'));
    };

    // One blocking listener for both checks: every blocking listener a request meets costs it a
    // round trip to the extension, whatever the listener returns.
    blocking.register(
      headersReceived,
      (details: HeadersDetails) => {
        checkCertificate(details);
        return details.type === 'script' && learnedScripts ? checkScriptBytes(learnedScripts, details) : undefined;
      },
      { types: ['main_frame', 'sub_frame', 'script', 'xmlhttprequest', 'websocket'], extraInfoSpec: ['blocking', 'responseHeaders'], onError: report('registering the certificate and script-bytes listener') },
    );
  }
});
