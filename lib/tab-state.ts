import { browser } from './browser';
import type { Recorded } from './incidents';
import type { Severity } from './types';

/**
 * What one tab's current page has shown since its last navigation: dedupe key → severity. Kept in
 * storage.session, which outlives an MV3 worker's sleep but not the browser session, and which
 * content scripts cannot read or write, so a page cannot forge its own verdict.
 */
export interface TabState {
  host: string;
  findings: Record<string, Severity>;
  /** Keys of the events (lib/events.ts) already recorded for this page load. */
  events?: string[];
  /** The page itself has been judged (its content script reported): from then on events are recorded as findings come. */
  judged?: boolean;
}

const keyOf = (tabId: number) => `tab:${tabId}`;

/** Where the background tells the popup whether Chrome deep inspection is attached to a tab. */
export const deepStatusKey = (tabId: number) => `deep:${tabId}`;

export async function loadDeepStatus(tabId: number): Promise<{ state: string; reason?: string } | undefined> {
  const stored = await browser.storage.session.get(deepStatusKey(tabId));
  const value = stored[deepStatusKey(tabId)] as { state?: unknown; reason?: unknown } | undefined;
  if (!value || typeof value.state !== 'string') return undefined;
  return { state: value.state, ...(typeof value.reason === 'string' ? { reason: value.reason } : {}) };
}

export function mergeRecorded(state: TabState, recorded: readonly Recorded[]): TabState {
  const findings = { ...state.findings };
  for (const r of recorded) {
    if (r.status === 'new') findings[r.incident.dedupeKey] = r.incident.severity;
    else findings[r.dedupeKey] = r.finding.severity;
  }
  return { ...state, findings };
}

export async function loadTabState(tabId: number): Promise<TabState | undefined> {
  const stored = await browser.storage.session.get(keyOf(tabId));
  const value = stored[keyOf(tabId)] as TabState | undefined;
  return value && typeof value.host === 'string' && value.findings && typeof value.findings === 'object' ? value : undefined;
}

/** One writer (the background) with writes serialised per tab, so concurrent outcomes never drop each other. */
export function createTabStates() {
  const queues = new Map<number, Promise<unknown>>();
  const serialise = <T>(tabId: number, task: () => Promise<T>): Promise<T> => {
    const next = (queues.get(tabId) ?? Promise.resolve()).then(task, task);
    queues.set(tabId, next.catch(() => undefined));
    return next;
  };
  return {
    reset(tabId: number): Promise<void> {
      return serialise(tabId, () => browser.storage.session.remove(keyOf(tabId)));
    },
    add(tabId: number, host: string, recorded: readonly Recorded[]): Promise<TabState> {
      return serialise(tabId, async () => {
        const current = await loadTabState(tabId);
        const base = current && current.host === host ? current : { host, findings: {} };
        const next = mergeRecorded(base, recorded);
        await browser.storage.session.set({ [keyOf(tabId)]: next });
        return next;
      });
    },
    /**
     * Records the events of the tab's page that are not yet recorded (`record` gets the state and
     * returns the event keys it wrote) and remembers them, in the same per-tab queue as `add`.
     * `when`: 'page' marks the page judged and records; 'now' records whatever the page state;
     * 'if-judged' records only once the page was judged, so the findings that arrive before the
     * page's own report (its headers, certificate, sockets) are grouped together with it.
     */
    addEvents(tabId: number, host: string, when: 'page' | 'now' | 'if-judged', record: (state: TabState) => Promise<string[]>): Promise<void> {
      return serialise(tabId, async () => {
        const stored = await loadTabState(tabId);
        const current = stored && stored.host === host ? stored : undefined;
        if (when === 'if-judged' && !current?.judged) return;
        if (!current && when !== 'page') return;
        const state: TabState = { ...(current ?? { host, findings: {} }), ...(when === 'page' ? { judged: true } : {}) };
        const recorded = Object.keys(state.findings).length ? await record(state) : [];
        if (recorded.length === 0 && state.judged === current?.judged) return;
        const events = [...(state.events ?? []), ...recorded];
        await browser.storage.session.set({ [keyOf(tabId)]: { ...state, ...(events.length ? { events } : {}) } });
      });
    },
    forget(tabId: number): void {
      queues.delete(tabId);
      void browser.storage.session.remove(keyOf(tabId)).catch(() => undefined);
    },
  };
}
