import { browser } from '../browser';
import { parseHostPattern, type SiteLists } from '../core/sites';

/** The one owner of browser.storage: defaults, validation, and what an administrator locked. */
export interface Settings {
  /** Host patterns the user added to the monitored sites. */
  userSites: string[];
  /** Host → sha256 fingerprints of private roots trusted for that host only. */
  trustedRoots: Record<string, string[]>;
  retentionDays: number;
  maxIncidents: number;
  /**
   * System notifications for new critical incidents. Off by default: turning it on asks for the
   * optional `notifications` permission.
   */
  notifications: boolean;
  /** Chrome only: attach the debugger to mail and chat tabs to read their certificates. */
  deepInspection: boolean;
  /** Dedupe keys the user marked as expected: still recorded, no longer badged or alarming. */
  expectedKeys: string[];
  /**
   * Evidence of injected inline code quotes its first 200 characters (and a CSP refusal its
   * sample). That is page content, so it is off unless the user turns it on.
   */
  inlinePreviews: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  userSites: [],
  trustedRoots: {},
  retentionDays: 365,
  maxIncidents: 100_000,
  notifications: false,
  deepInspection: false,
  expectedKeys: [],
  inlinePreviews: false,
};

const SETTINGS_KEY = 'settings';
const RECOGNISED_KEY = 'recognisedHosts';
const MAX_SITES = 500;
const MAX_EXPECTED = 1000;
const MAX_ROOTS_PER_HOST = 16;
const FINGERPRINT = /^[0-9a-f]{64}$/;

function boundedInt(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

/** Accepts anything (old versions, hand edits, managed policy) and returns valid settings. */
export function normaliseSettings(raw: unknown): Settings {
  const input = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const userSites = Array.isArray(input.userSites)
    ? [...new Set(input.userSites.map((s) => (typeof s === 'string' ? parseHostPattern(s) : undefined)).filter((s): s is string => !!s))].slice(0, MAX_SITES)
    : [];
  const trustedRoots: Record<string, string[]> = {};
  if (input.trustedRoots && typeof input.trustedRoots === 'object') {
    for (const [host, roots] of Object.entries(input.trustedRoots as Record<string, unknown>).slice(0, MAX_SITES)) {
      const name = parseHostPattern(host);
      if (!name || !Array.isArray(roots)) continue;
      const valid = roots
        .map((r) => (typeof r === 'string' ? normaliseFingerprint(r) : undefined))
        .filter((r): r is string => !!r)
        .slice(0, MAX_ROOTS_PER_HOST);
      if (valid.length) trustedRoots[name] = [...new Set(valid)];
    }
  }
  return {
    userSites,
    trustedRoots,
    retentionDays: boundedInt(input.retentionDays, 1, 3650, DEFAULT_SETTINGS.retentionDays),
    maxIncidents: boundedInt(input.maxIncidents, 1000, 1_000_000, DEFAULT_SETTINGS.maxIncidents),
    notifications: typeof input.notifications === 'boolean' ? input.notifications : DEFAULT_SETTINGS.notifications,
    deepInspection: input.deepInspection === true,
    inlinePreviews: input.inlinePreviews === true,
    expectedKeys: Array.isArray(input.expectedKeys)
      ? [...new Set(input.expectedKeys.filter((k): k is string => typeof k === 'string' && k.length > 0 && k.length <= 4096))].slice(-MAX_EXPECTED)
      : [],
  };
}

/** sha256 fingerprints as users paste them ("AB:CD:…") or as browsers report them. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.replace(/[:\s]/g, '').toLowerCase();
  return FINGERPRINT.test(hex) ? hex : undefined;
}

export function trustedRootsFor(settings: Settings, host: string): string[] {
  return settings.trustedRoots[host] ?? [];
}

/** The settings in force: the user's, with whatever an administrator set in their place. */
export async function loadSettings(): Promise<Settings> {
  const [local, managed] = await Promise.all([loadLocalSettings(), loadManagedSettings()]);
  return mergeSettings(local, managed);
}

/** The user's own settings, without the administrator's: what the options page edits and saves. */
export async function loadLocalSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(SETTINGS_KEY);
  return normaliseSettings(stored[SETTINGS_KEY]);
}

/** Settings an administrator set through policy (`storage.managed`); they win and are locked. */
export type ManagedSettings = Partial<Settings>;

const MANAGED_TIMEOUT_MS = 1000;

/**
 * Reads `storage.managed`. Without a policy, Firefox rejects ("Managed storage manifest not
 * found"), some builds lack the area, and a broken policy must never stop monitoring: any
 * failure means "nothing managed". Only keys the administrator set, and set validly, are kept.
 */
export async function loadManagedSettings(): Promise<ManagedSettings> {
  try {
    const area = browser.storage?.managed;
    if (!area || typeof area.get !== 'function') return {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, MANAGED_TIMEOUT_MS, undefined)));
    const raw: unknown = await Promise.race([area.get(null), timeout]).finally(() => clearTimeout(timer));
    return normaliseManagedSettings(raw);
  } catch {
    return {};
  }
}

export function normaliseManagedSettings(raw: unknown): ManagedSettings {
  if (!raw || typeof raw !== 'object') return {};
  const input = raw as Record<string, unknown>;
  const valid = normaliseSettings(input);
  const managed: ManagedSettings = {};
  if (Array.isArray(input.userSites)) managed.userSites = valid.userSites;
  if (input.trustedRoots && typeof input.trustedRoots === 'object') managed.trustedRoots = valid.trustedRoots;
  if (valid.retentionDays === input.retentionDays) managed.retentionDays = valid.retentionDays;
  if (valid.maxIncidents === input.maxIncidents) managed.maxIncidents = valid.maxIncidents;
  if (valid.notifications === input.notifications) managed.notifications = valid.notifications;
  if (valid.deepInspection === input.deepInspection) managed.deepInspection = valid.deepInspection;
  return managed;
}

export function mergeSettings(local: Settings, managed: ManagedSettings): Settings {
  return { ...local, ...managed };
}

export async function saveSettings(settings: Settings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: normaliseSettings(settings) });
}

export async function loadRecognisedHosts(): Promise<Record<string, string>> {
  const stored = await browser.storage.local.get(RECOGNISED_KEY);
  const value = stored[RECOGNISED_KEY];
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/**
 * Remembers a host recognised from its DOM. The list is bounded; when it is full the oldest host
 * goes, but never one `isEstablished` vouches for (one with a learned baseline): otherwise pages
 * that only look like webmail, visited in numbers, would push a real one out, and with it the
 * watching of that host. If every host is established, the new one is not remembered.
 */
export async function addRecognisedHost(host: string, recogniserId: string, isEstablished: (host: string) => Promise<boolean> = async () => false): Promise<void> {
  const hosts = await loadRecognisedHosts();
  if (hosts[host] === recogniserId) return;
  const entries = Object.entries({ ...hosts, [host]: recogniserId });
  let excess = entries.length - MAX_SITES;
  for (let i = 0; excess > 0 && i < entries.length - 1; i++) {
    if (await isEstablished(entries[i]![0])) continue;
    entries.splice(i--, 1);
    excess--;
  }
  if (excess > 0) return;
  await browser.storage.local.set({ [RECOGNISED_KEY]: Object.fromEntries(entries) });
}

export async function removeRecognisedHost(host: string): Promise<void> {
  const hosts = await loadRecognisedHosts();
  if (!(host in hosts)) return;
  delete hosts[host];
  await browser.storage.local.set({ [RECOGNISED_KEY]: hosts });
}

export async function loadSiteLists(): Promise<SiteLists> {
  const [settings, recognisedHosts] = await Promise.all([loadSettings(), loadRecognisedHosts()]);
  return { userSites: settings.userSites, recognisedHosts };
}

/**
 * Site lists that version 0.1 stored for its content scripts, which now learn whether their host
 * is known from where they were injected (lib/background/content-scripts.ts).
 */
export const RETIRED_SITE_LISTS_KEY = 'siteListsForPages';

/** Settings, recognised hosts or policy changed. */
export function onStorageChanged(listener: () => void): void {
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed' || area === 'local') listener();
  });
}
