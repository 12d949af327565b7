import { patternsForSchemes, type ScopeFilters } from './filters';

/** The part of a webRequest event's RequestFilter this needs (Firefox has `tabId`). */
export interface RequestFilterLike {
  urls: string[];
  types?: string[];
  tabId?: number;
}

/** The part of a webRequest event (Firefox's `onHeadersReceived`) this needs. */
export interface RequestEventLike<D> {
  addListener(callback: (details: D) => unknown, filter: RequestFilterLike, extraInfoSpec?: string[]): void;
  removeListener(callback: (details: D) => unknown): void;
}

/** What every webRequest event says about its request. */
export interface ScopedRequest {
  requestId: string;
  url: string;
  tabId: number;
  timeStamp: number;
}

export interface ListenerRegistrarOptions {
  /** Resource types; all of them when absent. */
  types?: string[];
  extraInfoSpec?: string[];
  /** Only URLs of these schemes (`http`, `ws`...): the host patterns and each tab's are narrowed to them. */
  schemes?: readonly string[];
  onError: (error: unknown) => void;
}

/** How many dispatches are remembered for the de-duplication below: far more than requests in flight at once. */
const REMEMBERED_DISPATCHES = 2000;

/**
 * Keeps one listener (blocking in Firefox) registered for `filters.hosts` and one per tab in `filters.tabs`,
 * all calling `handler`, and brings them to new filters when the scope changes (`apply`, which is
 * synchronous, so the first registration happens in the background's first turn).
 *
 * A request can match two of them (a mail host's request in a mail tab): the browser calls each
 * listener in turn for the same dispatch (same request id, URL and time stamp), and only the
 * first call reaches `handler`, so a certificate is not judged twice and a response body is not
 * filtered twice. The host listener is replaced by adding the new one before removing the old, so
 * no request slips between them.
 */
export function createListenerRegistrar<D extends ScopedRequest>(event: RequestEventLike<D>, handler: (details: D) => unknown, options: ListenerRegistrarOptions) {
  const dispatched = new Set<string>();
  const once = (details: D) => {
    const key = `${details.requestId} ${details.timeStamp} ${details.url}`;
    if (dispatched.has(key)) return undefined;
    dispatched.add(key);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (dispatched.size > REMEMBERED_DISPATCHES) dispatched.delete(dispatched.values().next().value!);
    return handler(details);
  };
  const listen = (filter: RequestFilterLike) => {
    const callback = (details: D) => once(details);
    event.addListener(callback, options.types ? { ...filter, types: options.types } : filter, options.extraInfoSpec);
    return callback;
  };
  let hostListener: { key: string; urls: string[]; callback: (details: D) => unknown } | undefined;
  const tabListeners = new Map<number, (details: D) => unknown>();

  const tabUrls = patternsForSchemes(['<all_urls>'], options.schemes);
  const applyHosts = (hosts: string[]) => {
    const urls = patternsForSchemes(hosts, options.schemes);
    const key = urls.join(' ');
    if (hostListener?.key === key) return;
    const previous = hostListener;
    try {
      hostListener = urls.length ? { key, urls, callback: listen({ urls }) } : undefined;
    } catch (error) {
      // A pattern the browser refuses: the previous listener stays, rather than none.
      options.onError(error);
      return;
    }
    if (previous) event.removeListener(previous.callback);
  };
  const applyTabs = (tabs: readonly number[]) => {
    for (const tabId of tabs) {
      if (tabListeners.has(tabId)) continue;
      try {
        tabListeners.set(tabId, listen({ urls: tabUrls, tabId }));
      } catch (error) {
        options.onError(error);
      }
    }
    for (const [tabId, callback] of tabListeners) {
      if (tabs.includes(tabId)) continue;
      event.removeListener(callback);
      tabListeners.delete(tabId);
    }
  };

  return {
    /** Registers what `filters` want and removes what they no longer want; unchanged listeners stay. */
    apply(filters: ScopeFilters): void {
      applyHosts(filters.hosts);
      applyTabs(filters.tabs);
    },
    /** What is registered now, for tests and logs. */
    registered(): ScopeFilters {
      return { hosts: [...(hostListener?.urls ?? [])], tabs: [...tabListeners.keys()].sort((a, b) => a - b) };
    },
  };
}

export type ListenerRegistrar = ReturnType<typeof createListenerRegistrar>;
