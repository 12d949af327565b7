import { browser } from '../browser';
import type { DeepState, JudgedCert } from '../core/types';
import type { Recorded } from '../store/incidents';
import type { Severity } from '../core/types';

/**
 * What one tab's current page has shown since its top-level document committed: dedupe key →
 * severity. Kept in storage.session, which outlives an MV3 worker's sleep but not the browser
 * session, and which content scripts cannot read or write, so a page cannot forge its own verdict.
 *
 * The state belongs to the top-level document: it starts afresh only when a new one commits
 * (webNavigation.onCommitted, frame 0), never when a navigation merely starts, so a page that
 * navigates to a URL answering 204 (which never commits) cannot clear its own verdict. It is keyed
 * by the top-level host: a frame on another host adds to it, never replaces it.
 */
export interface TabState {
  host: string;
  findings: Record<string, Severity>;
  /** When the document committed (ms); outcomes of its own navigation request may arrive later. */
  committedAt?: number;
  /** Findings about a top-level navigation still on its way (its certificate, headers, redirects). */
  pending?: { host: string; findings: Record<string, Severity> };
  /** Keys of the events (lib/core/events.ts) already recorded for this page load. */
  events?: string[];
  /** The page itself has been judged (its content script reported): from then on events are recorded as findings come. */
  judged?: boolean;
}

/** Where an outcome came from, so that it lands in the right document's state. */
export type OutcomeOrigin =
  /** A top-level navigation request, started at `startedAt`; it belongs to the document it commits. */
  | { navigation: true; host: string; startedAt: number }
  /** A frame, a subresource or the page itself; `topHost` when the browser said which top document. */
  | { navigation?: false; host: string; topHost?: string };

const keyOf = (tabId: number) => `tab:${tabId}`;

/** Where the background tells the popup whether Chrome deep inspection is attached to a tab. */
export const deepStatusKey = (tabId: number) => `deep:${tabId}`;

export async function loadDeepStatus(tabId: number): Promise<DeepState> {
  const stored = await browser.storage.session.get(deepStatusKey(tabId));
  const value = stored[deepStatusKey(tabId)] as { state?: unknown; reason?: unknown; judged?: unknown } | undefined;
  if (!value || typeof value.state !== 'string') return undefined;
  const judged = Array.isArray(value.judged) ? value.judged.filter(isJudgedCert) : [];
  return { state: value.state, ...(typeof value.reason === 'string' ? { reason: value.reason } : {}), judged };
}

function isJudgedCert(value: unknown): value is JudgedCert {
  const j = value as Partial<JudgedCert> | null;
  return typeof j === 'object' && j !== null && typeof j.host === 'string' && typeof j.what === 'string' && typeof j.source === 'string';
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

function withRecorded(findings: Record<string, Severity>, recorded: readonly Recorded[]): Record<string, Severity> {
  return mergeRecorded({ host: '', findings }, recorded).findings;
}

/** Where an outcome goes: the committed document's findings, the pending navigation's, or nowhere. */
export function placeOutcome(current: TabState | undefined, origin: OutcomeOrigin, recorded: readonly Recorded[]): TabState | undefined {
  if (origin.navigation) {
    // Its document already committed (the outcome was slower than the commit): it is this page's.
    if (current && current.host === origin.host && (current.committedAt ?? 0) >= origin.startedAt) return { ...current, findings: withRecorded(current.findings, recorded) };
    const pending = current?.pending?.host === origin.host ? current.pending.findings : {};
    return { ...(current ?? { host: '', findings: {} }), pending: { host: origin.host, findings: withRecorded(pending, recorded) } };
  }
  if (!current || !current.host) return { ...current, host: origin.topHost ?? origin.host, findings: withRecorded(current?.findings ?? {}, recorded) };
  // A message of the document before this one, arriving late: it is in the log, not in this verdict.
  if (origin.topHost !== undefined && origin.topHost !== current.host) return undefined;
  return { ...current, findings: withRecorded(current.findings, recorded) };
}

/** A new top-level document: only what its own navigation showed carries over. */
export function committedState(current: TabState | undefined, host: string, now: number): TabState {
  const carried = current?.pending?.host === host ? current.pending.findings : {};
  return { host, findings: { ...carried }, committedAt: now };
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
    /**
     * A top-level document committed in the tab. Returns its state (for the badge); nothing for a
     * page that is not watched in a tab that never had a state, which then costs no write.
     */
    commit(tabId: number, host: string, now: number, watched: boolean): Promise<TabState | undefined> {
      return serialise(tabId, async () => {
        const current = await loadTabState(tabId);
        if (!current && !watched) return undefined;
        const next = committedState(current, host, now);
        await browser.storage.session.set({ [keyOf(tabId)]: next });
        return next;
      });
    },
    /** Adds an outcome; resolves to the state when the committed document's verdict changed. */
    add(tabId: number, origin: OutcomeOrigin, recorded: readonly Recorded[]): Promise<TabState | undefined> {
      return serialise(tabId, async () => {
        const next = placeOutcome(await loadTabState(tabId), origin, recorded);
        if (!next) return undefined;
        await browser.storage.session.set({ [keyOf(tabId)]: next });
        return origin.navigation && next.pending ? undefined : next;
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
