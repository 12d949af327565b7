import type { DeepState, Incident } from './core/types';
import type { MonitoredSite } from './core/sites';
import { EVENT_KIND } from './core/events';
import { KINDS, SEVERITIES } from './core/types';
// Type-only: the answers carry the store's and the collector's data as they are (eslint.config.js
// lets this one file name them, never import their code).
import type { Occurrence } from './store/db';
import type { ExportMeta } from './store/export';
import type { ClearResult } from './store/log';
import type { LogFilter, LogPage, Timeline } from './store/log-query';
import type { ManagedSettings, Settings } from './store/settings';
import type { CollectorPolicy } from './background/collector/policy';
import type { CollectorStatus } from './background/collector/queue';
import type { Validated } from './messages';

/**
 * Requests from tapguard's own pages (popup, options, log) to the background, which alone reads
 * and writes settings and the log (lib/background/ui-requests.ts). The pages are ours, but a
 * message is still checked for its exact shape, and the background answers only its own pages.
 */
export type UiRequest =
  | { type: 'ui/popup-view'; url: string; tabId?: number }
  | { type: 'ui/mark-expected'; dedupeKeys: string[] }
  | { type: 'ui/trust-root'; host: string; rootSha256: string }
  | { type: 'ui/settings' }
  | { type: 'ui/save-settings'; patch: Partial<Settings> }
  | { type: 'ui/forget-recognised-host'; host: string }
  | { type: 'ui/count-beyond-retention'; limits: RetentionLimits }
  | { type: 'ui/apply-retention'; limits: RetentionLimits }
  | { type: 'ui/collector' }
  | { type: 'ui/log-view'; filter: LogFilter; offset: number; limit: number }
  | { type: 'ui/occurrence'; dedupeKey: string }
  | { type: 'ui/incidents-for-keys'; dedupeKeys: string[] }
  | { type: 'ui/clear-log' }
  | { type: 'ui/export-start'; format: ExportFormat; meta: ExportMeta }
  | { type: 'ui/export-next'; exportId: string };

export type UiRequestType = UiRequest['type'];
export type RetentionLimits = Pick<Settings, 'retentionDays' | 'maxIncidents'>;
export const EXPORT_FORMATS = ['jsonl', 'csv', 'ocsf', 'ecs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the popup needs to judge its tab; the verdict and events are worked out in the popup. */
export interface PopupData {
  host: string;
  site?: MonitoredSite;
  /** Incidents of this tab's current page. */
  seen: Incident[];
  /** Recent incidents of this host (only for mail or chat hosts). */
  forHost: Incident[];
  total: number;
  expectedKeys: string[];
  deep: DeepState;
}

export interface SettingsView {
  local: Settings;
  managed: ManagedSettings;
  recognised: Record<string, string>;
}

export interface LogView {
  page: LogPage;
  timeline: Timeline;
  hosts: string[];
  rules: string[];
  incidents: number;
}

/** The collector as the options page shows it: the policy without its token. */
export interface CollectorView {
  policy?: Omit<CollectorPolicy, 'token'>;
  status?: CollectorStatus;
}

export interface UiAnswers {
  'ui/popup-view': PopupData;
  'ui/mark-expected': null;
  'ui/trust-root': null;
  'ui/settings': SettingsView;
  'ui/save-settings': null;
  'ui/forget-recognised-host': null;
  'ui/count-beyond-retention': number;
  'ui/apply-retention': { deleted: number };
  'ui/collector': CollectorView;
  'ui/log-view': LogView;
  'ui/occurrence': Occurrence | null;
  'ui/incidents-for-keys': Incident[];
  'ui/clear-log': ClearResult;
  'ui/export-start': { exportId: string };
  'ui/export-next': { chunk: string; done: boolean };
}

export type UiReply<T extends UiRequestType = UiRequestType> = { ok: true; value: UiAnswers[T] } | { ok: false; error: string };

export const UI_LIMITS = { keys: 1000, key: 4096, host: 253, text: 200, pageSize: 200, url: 8192 } as const;
/**
 * The settings' own keys. A copy, because this module may not import the store's values; the
 * type below fails to compile when the copy misses a key of `Settings` or names one it lacks.
 */
export const SETTINGS_KEYS = ['userSites', 'trustedRoots', 'retentionDays', 'maxIncidents', 'notifications', 'deepInspection', 'expectedKeys', 'inlinePreviews'] as const satisfies readonly (keyof Settings)[];
type MissingSettingsKey = Exclude<keyof Settings, (typeof SETTINGS_KEYS)[number]>;
const settingsKeysComplete: [MissingSettingsKey] extends [never] ? true : MissingSettingsKey = true;
void settingsKeysComplete;
const SHA256 = /^[0-9a-f]{64}$/;

/** Whether a message is meant for the storage owner at all (content messages never are). */
export function isUiRequest(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('ui/');
}

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;
const isCount = (value: unknown, max = Number.MAX_SAFE_INTEGER): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
const isKeys = (value: unknown): value is string[] => Array.isArray(value) && value.length <= UI_LIMITS.keys && value.every((k) => isText(k, UI_LIMITS.key));
const isRecord = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
const oneOf = <T extends string>(list: readonly T[], value: unknown): value is T => list.includes(value as T);

function isLimits(value: unknown): value is RetentionLimits {
  return isRecord(value) && isCount(value.retentionDays, 3650) && isCount(value.maxIncidents, 1_000_000);
}

/** Only the settings' own keys; their values are normalised by the store when saved. */
function isSettingsPatch(value: unknown): value is Partial<Settings> {
  return isRecord(value) && Object.keys(value).every((key) => (SETTINGS_KEYS as readonly string[]).includes(key));
}

function isLogFilter(value: unknown): value is LogFilter {
  if (!isRecord(value)) return false;
  const { host, kind, rule, minSeverity, from, to, text } = value;
  const time = (t: unknown) => t === undefined || (typeof t === 'number' && Number.isFinite(t));
  return (
    (host === undefined || isText(host, UI_LIMITS.host)) &&
    (kind === undefined || oneOf([...KINDS, EVENT_KIND], kind)) &&
    (rule === undefined || isText(rule, 100)) &&
    (minSeverity === undefined || oneOf(SEVERITIES, minSeverity)) &&
    time(from) &&
    time(to) &&
    (text === undefined || (typeof text === 'string' && text.length <= UI_LIMITS.text))
  );
}

function isExportMeta(value: unknown): value is ExportMeta {
  if (!isRecord(value) || !isText(value.tapguardVersion, 50) || !isText(value.browser, 100) || !isText(value.exportedAt, 40)) return false;
  const { checks } = value;
  return Array.isArray(checks) && checks.length <= 50 && checks.every((c) => isRecord(c) && isText(c.check, 100) && typeof c.available === 'boolean');
}

/** Each request's shape; a request with a wrong or missing field is refused whole. */
const SHAPES: { [T in UiRequestType]: (r: Record<string, unknown>) => boolean } = {
  'ui/popup-view': (r) => typeof r.url === 'string' && r.url.length <= UI_LIMITS.url && (r.tabId === undefined || isCount(r.tabId)),
  'ui/mark-expected': (r) => isKeys(r.dedupeKeys),
  'ui/trust-root': (r) => isText(r.host, UI_LIMITS.host) && typeof r.rootSha256 === 'string' && SHA256.test(r.rootSha256),
  'ui/settings': () => true,
  'ui/save-settings': (r) => isSettingsPatch(r.patch),
  'ui/forget-recognised-host': (r) => isText(r.host, UI_LIMITS.host),
  'ui/count-beyond-retention': (r) => isLimits(r.limits),
  'ui/apply-retention': (r) => isLimits(r.limits),
  'ui/collector': () => true,
  'ui/log-view': (r) => isLogFilter(r.filter) && isCount(r.offset) && isCount(r.limit, UI_LIMITS.pageSize),
  'ui/occurrence': (r) => isText(r.dedupeKey, UI_LIMITS.key),
  'ui/incidents-for-keys': (r) => isKeys(r.dedupeKeys),
  'ui/clear-log': () => true,
  'ui/export-start': (r) => oneOf(EXPORT_FORMATS, r.format) && isExportMeta(r.meta),
  'ui/export-next': (r) => isText(r.exportId, 64),
};

export function validateUiRequest(raw: unknown): Validated<UiRequest> {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ok: false, reason: 'not a request' };
  const shape = Object.hasOwn(SHAPES, raw.type) ? SHAPES[raw.type as UiRequestType] : undefined;
  if (!shape) return { ok: false, reason: `unknown request ${raw.type.slice(0, 40)}` };
  if (!shape(raw)) return { ok: false, reason: `malformed ${raw.type}` };
  return { ok: true, message: raw as unknown as UiRequest };
}
