import type { Outcome } from '@/lib/background/monitor';
import { createTabStates, type OutcomeOrigin, type TabState } from '@/lib/background/tab-state';
import { browser } from '@/lib/browser';
import { badgeFor } from '@/lib/core/badge';
import type { TapguardDb } from '@/lib/store/db';
import { recordPageEvents } from '@/lib/store/event-log';
import { newCriticalIncidents } from '@/lib/store/incidents';
import type { Settings } from '@/lib/store/settings';

/** What each tab's page has shown, for its badge, its popup verdict and its notifications. */
export function createTabDisplay(db: TapguardDb, version: string, loadSettings: () => Promise<Settings>, report: (what: string) => (error: unknown) => void) {
  // New critical incidents only (never repeats), and only when the user opted in and granted it.
  const notifyCritical = (outcome: Outcome) => {
    for (const incident of newCriticalIncidents(outcome.recorded)) {
      void browser.notifications
        ?.create(`tapguard-${incident.id}`, { type: 'basic', iconUrl: browser.runtime.getURL('/icon/128.png'), title: incident.title, message: incident.advice })
        .catch(report('notification'));
    }
  };

  const tabStates = createTabStates();
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
  return { tabStates, setBadge, show };
}
