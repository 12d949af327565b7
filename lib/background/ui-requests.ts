import type { Runtime } from 'webextension-polyfill';
import { browser } from '../browser';
import { resolveSiteForUrl } from '../core/sites';
import { hostOf } from '../core/url';
import type { Incident } from '../core/types';
import type { TapguardDb } from '../store/db';
import { exportCsv, exportJsonl, type ExportMeta } from '../store/export';
import { clearLog } from '../store/log';
import { logFacets, occurrenceOf, queryLog, timelineFor, type LogFilter } from '../store/log-query';
import { countIncidents, incidentsForHost, incidentsForKeys } from '../store/queries';
import { applyRetention, countBeyondRetention } from '../store/retention';
import { loadLocalSettings, loadManagedSettings, loadRecognisedHosts, loadSettings, loadSiteLists, removeRecognisedHost, saveSettings, type Settings } from '../store/settings';
import { exportSiem } from '../store/siem/export';
import { isUiRequest, validateUiRequest, type CollectorView, type ExportFormat, type LogView, type PopupData, type UiAnswers, type UiReply, type UiRequest } from '../ui-messages';
import { loadCollectorPolicy } from './collector/policy';
import { collectorStatus } from './collector/queue';
import { createExportSessions } from './export-sessions';
import { loadDeepStatus, loadTabState } from './tab-state';

/**
 * The background is the one owner of settings and the log: tapguard's pages (popup, options, log)
 * ask it through the requests of lib/ui-messages.ts, and it answers only them.
 */
export interface UiRequestDeps {
  db: TapguardDb;
  /** "Chrome/140.0", stamped on the log's markers. */
  browser: string;
  now?: () => number;
}

/**
 * A page of this extension: its own id, and a URL inside it. A content script shares the id but
 * its sender URL is the page it runs in, so it is refused.
 */
export function isOwnPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(browser.runtime.getURL('/'));
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createUiRequestHandler(deps: UiRequestDeps) {
  const context: Context = { ...deps, now: deps.now ?? Date.now, exports: createExportSessions(deps.now ?? Date.now), changeSettings: createSettingsWriter() };
  /** Undefined (no answer) for what is not a page's request or not from one of tapguard's pages. */
  return (raw: unknown, sender: Runtime.MessageSender): Promise<UiReply> | undefined => {
    if (!isUiRequest(raw)) return undefined;
    if (!isOwnPage(sender)) {
      console.warn(`tapguard: refused a page request from ${sender.url ? hostOf(sender.url) || 'an unknown page' : 'an unknown sender'}`);
      return undefined;
    }
    const validated = validateUiRequest(raw);
    if (!validated.ok) return Promise.resolve({ ok: false, error: validated.reason });
    return answer(validated.message, context).then(
      (value) => ({ ok: true, value }) as UiReply,
      (error: unknown) => ({ ok: false, error: errorText(error) }),
    );
  };
}

interface Context extends Required<UiRequestDeps> {
  exports: ReturnType<typeof createExportSessions>;
  changeSettings: (change: (local: Settings) => Settings) => Promise<null>;
}

/** Settings are read, changed and written back: one change at a time, so none is lost. */
function createSettingsWriter() {
  let queue: Promise<unknown> = Promise.resolve();
  return (change: (local: Settings) => Settings): Promise<null> => {
    const next = queue.then(async () => saveSettings(change(await loadLocalSettings()))).then(() => null);
    queue = next.catch(() => undefined);
    return next;
  };
}

async function answer(request: UiRequest, { db, now, browser, exports, changeSettings }: Context): Promise<UiAnswers[keyof UiAnswers]> {
  switch (request.type) {
    case 'ui/popup-view':
      return popupData(db, request.url, request.tabId);
    case 'ui/mark-expected':
      return changeSettings((s) => ({ ...s, expectedKeys: [...new Set([...s.expectedKeys, ...request.dedupeKeys])] }));
    case 'ui/trust-root':
      return changeSettings((s) => ({ ...s, trustedRoots: { ...s.trustedRoots, [request.host]: [...(s.trustedRoots[request.host] ?? []), request.rootSha256] } }));
    case 'ui/settings': {
      const [local, managed, recognised] = await Promise.all([loadLocalSettings(), loadManagedSettings(), loadRecognisedHosts()]);
      return { local, managed, recognised };
    }
    case 'ui/save-settings':
      return changeSettings((s) => ({ ...s, ...request.patch }));
    case 'ui/forget-recognised-host':
      return removeRecognisedHost(request.host).then(() => null);
    case 'ui/count-beyond-retention':
      return countBeyondRetention(db, request.limits, now());
    case 'ui/apply-retention':
      return applyRetention(db, request.limits, now(), { browser }).then(({ deleted }) => ({ deleted }));
    case 'ui/collector':
      return collectorView(db);
    case 'ui/log-view':
      return logView(db, request.filter, request.offset, request.limit, now());
    case 'ui/occurrence':
      return (await occurrenceOf(db, request.dedupeKey)) ?? null;
    case 'ui/incidents-for-keys':
      return incidentsForKeys(db, request.dedupeKeys);
    case 'ui/clear-log':
      return clearLog(db, { browser, now: now() });
    case 'ui/export-start':
      return { exportId: exports.start(exportChunks(db, request.format, request.meta)) };
    case 'ui/export-next':
      return exports.next(request.exportId);
    default:
      return unknownRequest(request);
  }
}

// The compiler checks that the switch above covers every request type.
function unknownRequest(request: never): never {
  throw new Error(`unknown request ${(request as { type?: string }).type}`);
}

async function popupData(db: TapguardDb, url: string, tabId: number | undefined): Promise<PopupData> {
  const [lists, settings] = await Promise.all([loadSiteLists(), loadSettings()]);
  const host = hostOf(url);
  const site = resolveSiteForUrl(url, lists);
  const [tabState, deep] = tabId !== undefined ? await Promise.all([loadTabState(tabId), loadDeepStatus(tabId)]) : [undefined, undefined];
  const keys = tabState?.host === host ? Object.keys(tabState.findings) : [];
  const [seen, forHost, total]: [Incident[], Incident[], number] = await Promise.all([incidentsForKeys(db, keys), site ? incidentsForHost(db, host, 20) : [], countIncidents(db)]);
  return { host, ...(site ? { site } : {}), seen, forHost, total, expectedKeys: settings.expectedKeys, deep };
}

async function collectorView(db: TapguardDb): Promise<CollectorView> {
  const policy = await loadCollectorPolicy();
  if (!policy) return {};
  // The token is a credential: it stays in the background.
  const { token: _token, ...shown } = policy;
  return { policy: shown, status: await collectorStatus(db) };
}

async function logView(db: TapguardDb, filter: LogFilter, offset: number, limit: number, now: number): Promise<LogView> {
  const [page, timeline, facets, incidents] = await Promise.all([queryLog(db, filter, { offset, limit }), timelineFor(db, filter, now), logFacets(db), countIncidents(db)]);
  return { page, timeline, ...facets, incidents };
}

function exportChunks(db: TapguardDb, format: ExportFormat, meta: ExportMeta): AsyncGenerator<string> {
  if (format === 'jsonl') return exportJsonl(db, meta);
  if (format === 'csv') return exportCsv(db);
  return exportSiem(db, format, { tapguardVersion: meta.tapguardVersion });
}
