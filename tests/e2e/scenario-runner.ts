/**
 * Drives a browser with the built extension through the lab's scenarios and reads back what the
 * extension recorded and what its popup shows. Shared by the e2e tests and the `npm start` demo.
 */
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { matchPatternForHost } from '../../lib/background/content-scripts';
import type { Occurrence } from '../../lib/store/db';
import { serviceForHost } from '../../lib/core/sites/services';
import type { Incident } from '../../lib/core/types';
import { LAB_HOSTS, startLab, type Lab, type Scenario } from '../../lab/server';
import { launch, type BrowserName, type LaunchOptions, type Session } from './browsers';
import { getStorageLocal, readStore, setStorageLocal, watchedPatterns } from './idb';

export interface Baseline {
  host: string;
  visits: number;
}

export interface PopupView {
  level: string;
  headline: string;
  /** Titles of the incidents seen on this page (the signs of its events), worst event first. */
  incidentTitles: string[];
  /** The page's events as the popup tells them: headline, the signs beneath, what "Mark as expected" covers. */
  events: Array<{ headline: string; signs: string[]; covers: string }>;
  notChecked: string[];
  /** Incidents of this page the user marked as expected. */
  expectedCount: number;
  badge: string;
}

export interface ScenarioVisit {
  scenario: Scenario;
  url: string;
  /** Incidents the extension appended during this visit. */
  incidents: Incident[];
  popup: PopupView;
}

/** The builds `npm run build` writes, as the e2e tests load them. */
export const EXTENSION_BUILDS: Record<BrowserName, string> = {
  chromium: path.resolve('.output/chrome-mv3'),
  firefox: path.resolve('.output/firefox-mv2'),
};

export const atLeastMedium = (i: { severity: string }) => ['medium', 'high', 'critical'].includes(i.severity);

export interface LabSession {
  lab: Lab;
  session: Session;
  probe: ExtensionProbe;
  close(): Promise<void>;
}

/**
 * A lab session for a self-hosted app on `host`: once the host is recognised Firefox judges its
 * chain, so there the lab CA stands in for a public one on that host too.
 */
export async function startLabSessionForSelfHosted(browserName: BrowserName, host: string): Promise<LabSession> {
  const booted = await startLabSession(browserName);
  const settings = labSettings(booted.lab, browserName) as { trustedRoots: Record<string, string[]> };
  if (browserName === 'firefox') settings.trustedRoots[host] = [booted.lab.caFingerprintSha256];
  await booted.probe.setSettings(settings);
  return booted;
}

/**
 * A fresh lab and a browser with the extension, set up as the lab needs (see labSettings). The
 * interception CA is trusted in the profile too unless `trustInterceptCa` is false.
 */
export async function startLabSession(
  browserName: BrowserName,
  options: { trustInterceptCa?: boolean; trustCopycatCa?: boolean; extensionDir?: string; settings?: Record<string, unknown>; lab?: Lab } & Pick<LaunchOptions, 'extraPrefsFirefox' | 'headless'> = {},
): Promise<LabSession> {
  // A lab passed in belongs to the caller (several browsers can share one); otherwise it is ours.
  const ownLab = !options.lab;
  const lab = options.lab ?? (await startLab());
  try {
    const session = await launch(browserName, {
      extensionDir: options.extensionDir ?? EXTENSION_BUILDS[browserName],
      trustCaPems: [
        lab.caCertPem,
        ...(options.trustInterceptCa === false ? [] : [lab.interceptCaCertPem]),
        ...(options.trustCopycatCa ? [lab.copycatCaCertPem] : []),
      ],
      hostMap: Object.values(LAB_HOSTS),
      ...(options.extraPrefsFirefox ? { extraPrefsFirefox: options.extraPrefsFirefox } : {}),
      ...(options.headless !== undefined ? { headless: options.headless } : {}),
    });
    const probe = await ExtensionProbe.open(session);
    await probe.setSettings({ ...labSettings(lab, browserName), ...options.settings });
    return {
      lab,
      session,
      probe,
      async close() {
        await session.close();
        if (ownLab) await lab.close();
      },
    };
  } catch (error) {
    if (ownLab) await lab.close();
    throw error;
  }
}

/** Before the extension's first write its database does not exist yet: that reads as empty. */
function emptyIfNoDatabase(error: unknown): never[] {
  if (String(error).includes('does not exist')) return [];
  throw error;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const API = '(globalThis.browser ?? globalThis.chrome)';

export class ExtensionProbe {
  private constructor(
    private readonly session: Session,
    readonly page: Page,
  ) {}

  static async open(session: Session): Promise<ExtensionProbe> {
    return new ExtensionProbe(session, await session.openExtensionPage('/popup.html'));
  }

  incidents(): Promise<Incident[]> {
    return readStore<Incident>(this.page, 'tapguard', 'incidents').catch(emptyIfNoDatabase);
  }

  /** Repeat counts, one per dedupe key. */
  occurrences(): Promise<Occurrence[]> {
    return readStore<Occurrence>(this.page, 'tapguard', 'occurrences').catch(emptyIfNoDatabase);
  }

  baselines(): Promise<Baseline[]> {
    return readStore<Baseline>(this.page, 'tapguard', 'baselines').catch(emptyIfNoDatabase);
  }

  async visitsOf(host: string): Promise<number> {
    return (await this.baselines()).find((b) => b.host === host)?.visits ?? 0;
  }

  /**
   * Stores settings and waits until the background has registered the content scripts for the
   * new site lists (lib/background/content-scripts.ts), so the next page load already gets the right one.
   */
  async setSettings(settings: Record<string, unknown>): Promise<void> {
    const sitesOf = (value: unknown) => ((value as { userSites?: string[] } | undefined)?.userSites ?? []);
    const before = sitesOf((await getStorageLocal(this.page)).settings);
    const after = sitesOf(settings);
    await setStorageLocal(this.page, { settings });
    const added = after.map(matchPatternForHost).filter((p): p is string => p !== undefined);
    // A removed site stays registered while it is built in or was recognised from its DOM.
    const recognised = Object.keys((await getStorageLocal(this.page)).recognisedHosts ?? {});
    const removed = before
      .filter((site) => !after.includes(site) && !serviceForHost(site) && !recognised.includes(site))
      .map(matchPatternForHost)
      .filter((p): p is string => p !== undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const watched = await watchedPatterns(this.page);
      if (added.every((p) => watched.includes(p)) && !removed.some((p) => watched.includes(p))) return;
      if (Date.now() > deadline) throw new Error(`the background did not register the content scripts for ${JSON.stringify(after)}`);
      await sleep(50);
    }
  }

  async tabIdOf(url: string): Promise<number> {
    const prefix = url.replace(/[?#].*$/, '');
    const json = (await this.page.evaluate(
      `${API}.tabs.query({}).then((tabs) => JSON.stringify(tabs.map((t) => ({ id: t.id, url: t.url }))))`,
    )) as string;
    const tabs = JSON.parse(json) as { id: number; url: string }[];
    const tab = tabs.find((t) => t.url?.startsWith(prefix));
    if (!tab) throw new Error(`no tab shows ${url}; tabs: ${tabs.map((t) => t.url).join(', ')}`);
    return tab.id;
  }

  /** Clicks, in the popup of a tab, the buttons with these texts in turn (as a user would). */
  async clickInPopup(tabId: number, ...labels: string[]): Promise<void> {
    const popup = await this.session.openExtensionPage(`/popup.html?tab=${tabId}`);
    try {
      for (const label of labels) {
        await popup.waitForFunction(`[...document.querySelectorAll('button')].some((b) => b.textContent.startsWith(${JSON.stringify(label)}))`, { timeout: 15_000 });
        await popup.evaluate(`[...document.querySelectorAll('button')].find((b) => b.textContent.startsWith(${JSON.stringify(label)})).click()`);
      }
      await sleep(300);
    } finally {
      await popup.close().catch(() => undefined);
    }
  }

  async badgeOf(tabId: number): Promise<string> {
    return (await this.page.evaluate(`(${API}.action ?? ${API}.browserAction).getBadgeText({ tabId: ${tabId} })`)) as string;
  }

  /**
   * Opens the popup for a given tab, as a page, and reads what a user would see. With
   * TAPGUARD_SCREENSHOTS=1 it also saves a picture of it to docs/screenshots/.
   */
  async popupFor(tabId: number, screenshotName?: string): Promise<PopupView> {
    const popup = await this.session.openExtensionPage(`/popup.html?tab=${tabId}`);
    try {
      await popup.waitForSelector('main[data-ready="true"]', { timeout: 15_000 });
      if (screenshotName && process.env.TAPGUARD_SCREENSHOTS === '1') {
        await popup.setViewport({ width: 420, height: 640 }).catch(() => undefined);
        await popup.screenshot({ path: `docs/screenshots/popup-${this.session.name}-${screenshotName}.png`, fullPage: true });
      }
      const view = (await popup.evaluate(`JSON.stringify({
        level: document.querySelector('.verdict')?.getAttribute('data-level') ?? 'none',
        headline: document.querySelector('.verdict-text')?.textContent ?? document.querySelector('.error')?.textContent ?? '',
        incidentTitles: [...document.querySelectorAll('main > .events .incident-title')].map((e) => e.textContent),
        events: [...document.querySelectorAll('main > .events > .event')].map((e) => ({
          headline: e.querySelector('.event-headline-text')?.textContent ?? '',
          signs: [...e.querySelectorAll('.incident-title')].map((s) => s.textContent),
          covers: e.querySelector('.covers')?.textContent ?? '',
        })),
        notChecked: [...document.querySelectorAll('.capabilities .not-checked')].map((e) => e.textContent.trim()),
        expectedCount: document.querySelectorAll('.expected .incident').length,
      })`)) as string;
      return { ...(JSON.parse(view) as Omit<PopupView, 'badge'>), badge: await this.badgeOf(tabId) };
    } finally {
      await popup.close().catch(() => undefined);
    }
  }
}

/** What the lab needs from the extension's settings, as a user would set them in the options. */
export function labSettings(lab: Lab, browserName: Session['name']): Record<string, unknown> {
  return {
    // The chat is a user-added site; the webmail is found by tapguard's own Roundcube recognition.
    userSites: [LAB_HOSTS.chat],
    // The lab CA stands in for a public CA, so it is trusted for the lab hosts like a company's
    // private root would be. Only Firefox can check roots; Chrome ignores this.
    // Every lab host: a mail page's session takes in every host it connects to (its scripts' CDN too).
    trustedRoots: browserName === 'firefox' ? Object.fromEntries(Object.values(LAB_HOSTS).map((host) => [host, [lab.caFingerprintSha256]])) : {},
  };
}

/**
 * Opens `url` in a fresh tab and waits until the extension has judged the page: the host's visit
 * counter moves (or, for pages tapguard may not count, a grace period passes) and the incident log
 * has been quiet for a moment.
 */
export async function visit(
  session: Session,
  probe: ExtensionProbe,
  lab: Lab,
  scenario: Scenario,
  url: string,
  /** Navigate this tab instead of a new one (kept open afterwards), as a user staying in one tab. */
  inTab?: Page,
): Promise<ScenarioVisit> {
  lab.setScenario(scenario);
  const host = new URL(url).hostname;
  const before = await probe.incidents();
  const lastId = before.reduce((max, i) => Math.max(max, i.id ?? 0), 0);
  const visitsBefore = await probe.visitsOf(host);

  const page = inTab ?? (await session.browser.newPage());
  await page.setCacheEnabled(false).catch(() => undefined);
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  } catch (error) {
    // A page the browser refuses (certificate error) is still a scenario outcome.
    if (!String(error).includes('net::ERR_')) throw error;
  }

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await probe.visitsOf(host)) <= visitsBefore) await sleep(150);
  let count = -1;
  for (let stable = 0; stable < 3 && Date.now() < deadline + 5_000; ) {
    await sleep(250);
    const now = (await probe.incidents()).length;
    stable = now === count ? stable + 1 : 0;
    count = now;
  }

  const incidents = (await probe.incidents()).filter((i) => (i.id ?? 0) > lastId);
  // One picture per scenario and host, from a fresh tab (visits in a kept tab are follow-ups).
  const popup = await probe.popupFor(await probe.tabIdOf(page.url()), inTab ? undefined : `${scenario}-${new URL(url).hostname.split('.')[0]}`);
  if (!inTab) await page.close().catch(() => undefined);
  return { scenario, url, incidents, popup };
}

/** Polls the log until an incident matching `match` appears after `afterId`. */
export async function waitForIncident(probe: ExtensionProbe, afterId: number, match: (i: Incident) => boolean, timeoutMs = 15_000): Promise<Incident | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await probe.incidents()).find((i) => (i.id ?? 0) > afterId && match(i));
    if (found) return found;
    await new Promise<void>((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

/** The id of the newest record in the log (0 when empty). */
export const lastIdOf = async (probe: ExtensionProbe) => (await probe.incidents()).reduce((max, i) => Math.max(max, i.id ?? 0), 0);
