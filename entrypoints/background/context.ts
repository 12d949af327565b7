import { createDeepInspector } from '@/lib/background/chrome/deep-inspection';
import { startCollector } from '@/lib/background/collector/background';
import { createContentScriptSync, type ScriptingApi } from '@/lib/background/content-scripts';
import { createJudgedCertificates } from '@/lib/background/cert-cache';
import { createCertificateReads } from '@/lib/background/firefox/certificate-reads';
import { createLearnedScripts } from '@/lib/background/firefox/learned-scripts';
import { reportFailure } from '@/lib/background/failures';
import { createRequestScope } from '@/lib/background/request-scope/scope';
import { createMonitor, type Outcome } from '@/lib/background/monitor';
import { createSeenScriptOrigins } from '@/lib/background/network-inventory';
import { createScopeCheck } from '@/lib/background/scope-check';
import { createSessionScopes } from '@/lib/background/session-scope';
import { createSourceLimiter, limitBySource, type SourceRef } from '@/lib/background/source-limit';
import type { OutcomeOrigin } from '@/lib/background/tab-state';
import { browser } from '@/lib/browser';
import { hasLearnedBaseline } from '@/lib/core/baseline';
import { scriptBytesKey } from '@/lib/core/detect/scripts';
import type { HeadersObservation } from '@/lib/core/observations';
import type { SiteLists } from '@/lib/core/sites';
import { hostOf, originOf } from '@/lib/core/url';
import { openDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import { applyRetention } from '@/lib/store/retention';
import { addRecognisedHost, loadSettings as readSettings, loadSiteLists, onStorageChanged } from '@/lib/store/settings';
import { createCachedLoader } from '@/lib/store/settings-cache';
import { createTabDisplay } from './show';

/**
 * What the background's listeners share: the store, the monitor, the site lists and the tabs'
 * sessions, built synchronously in the worker's first turn (index.ts registers the listeners right
 * after). Judgement lives in lib/background/monitor; the adapters beside this file only turn
 * browser events into observations.
 */
export function createBackground() {
  const browserName = import.meta.env.FIREFOX ? 'firefox' : 'chrome';
  const version = navigator.userAgent.match(/(Firefox|Chrome)\/[\d.]+/)?.[0] ?? browserName;
  const db = openDb();
  // The settings, cached until either storage area changes. Created first, so that its listener
  // drops the cache before any other settings-change listener reads them again.
  const loadSettings = createCachedLoader(readSettings, onStorageChanged);
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
  const scope = createScope(report);
  // New incidents per source (tab, frame, origin) are limited (lib/background/source-limit.ts).
  const limiter = createSourceLimiter(browser.storage.session, Date.now);
  const limited = <T extends Outcome>(source: SourceRef, observe: () => Promise<T>) => limitBySource(limiter, recorder, source, observe);
  const display = createTabDisplay(db, version, loadSettings, report);
  /** Observe, then show the outcome on its tab; a failure is reported as `what`, never thrown. */
  const observeAndShow = (what: string, tabId: number | undefined, outcome: Promise<Outcome>, origin?: OutcomeOrigin, events?: 'page' | 'now' | 'if-judged') =>
    void outcome.then(display.show(tabId, origin, events)).catch(report(what));
  return {
    version,
    db,
    report,
    monitor,
    ...scope,
    ...display,
    observeAndShow,
    loadSettings,
    limiter,
    limited,
    // Certificates judged per connection (Firefox), judged again when the settings change.
    certificateReads: createCertificateReads(createJudgedCertificates()),
    // Firefox's script-bytes check answers from memory which scripts were learned (lib/background/firefox/learned-scripts.ts).
    learnedScripts: import.meta.env.FIREFOX
      ? createLearnedScripts({ load: async (host) => Object.keys((await db.baselines.get(host))?.scriptBytes ?? {}), keyOf: scriptBytesKey, onError: report('learned scripts') })
      : undefined,
    // A main frame's headers arrive before its page can say it is self-hosted mail; they wait
    // here, in memory and for that tab only, until the page has been judged.
    pendingMainFrame: new Map<number, HeadersObservation>(),
    seenScriptOrigins: createSeenScriptOrigins(),
    // Chrome deep inspection, once started (deep.ts).
    deep: { inspector: undefined as ReturnType<typeof createDeepInspector> | undefined, on: undefined as boolean | undefined },
  };
}

export type Background = ReturnType<typeof createBackground>;

/** The site lists, the tabs' sessions and the network listeners' scope: what decides what is looked at. */
function createScope(report: (what: string) => (error: unknown) => void) {
  // A synchronous view of the site lists, so listeners can drop other browsing without awaiting.
  let siteLists: SiteLists | undefined;
  const lists = () => siteLists;
  // Content scripts are registered from the lists (lib/background/content-scripts.ts), not in the manifest.
  const syncContentScripts = createContentScriptSync(browser.scripting as unknown as ScriptingApi);
  const refreshSiteLists = async (): Promise<SiteLists> => {
    const loaded = await loadSiteLists();
    siteLists = loaded;
    requests.refresh();
    void syncContentScripts(loaded).catch(report('registering the content scripts'));
    return loaded;
  };
  void refreshSiteLists();
  // Each tab's messaging session (lib/background/session-scope.ts): every request of a mail or chat page.
  const scopes = createSessionScopes(() => requests.refresh());
  const check = createScopeCheck(lists, scopes.get);
  // The requests tapguard's network listeners meet (lib/background/request-scope/scope.ts):
  // Firefox's blocking listeners, which hold each request they see, and Chrome's non-blocking
  // ones, which wake the worker (index.ts). Chrome's see every URL until the lists and the stored
  // sessions are read, so a woken worker still meets the event that woke it.
  let sessionsRead = false;
  const requests = createRequestScope({
    lists,
    sessionTabs: () => scopes.tabs(),
    isMessagingUrl: check.isMessagingUrl,
    ...(import.meta.env.FIREFOX ? {} : { ready: () => sessionsRead && lists() !== undefined }),
  });
  void scopes.ready.then(() => {
    sessionsRead = true;
    requests.refresh();
  });
  return { lists, refreshSiteLists, scopes, requests, ...check };
}

/** Which tab, frame and origin a request's incidents count against (lib/background/source-limit.ts). */
export const requestSource = (details: { tabId: number; frameId: number; url: string; documentUrl?: string; initiator?: string }): SourceRef => ({
  tabId: details.tabId,
  frameId: details.frameId,
  origin: originOf(details.documentUrl ?? details.initiator ?? details.url),
});

/** Where a request's outcome belongs in its tab's state: its navigation's document, or the current one. */
export const requestOrigin = (details: { type: string; url: string; timeStamp: number }): OutcomeOrigin | undefined =>
  details.type === 'main_frame' ? { navigation: true, host: hostOf(details.url), startedAt: details.timeStamp } : undefined;
