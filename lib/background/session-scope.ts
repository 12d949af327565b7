import { browser } from '../browser';
import { resolveSiteForUrl, type MonitoredSite, type SiteLists } from '../core/sites';
import { serviceForMessageHost } from '../core/sites/services';
import { hostOf, originOf } from '../core/url';

/**
 * The messaging session of one tab: the tab is in a session while its top-level document is a
 * mail or chat page, and every request that page or its frames make belongs to it, whatever the
 * host (the chat's socket host, the mail's API host). Interceptors target exactly those hosts, by
 * SNI, while the page itself keeps its real certificate.
 *
 * Scope comes from the browser only (the tab a request belongs to, its documentUrl or initiator,
 * the committed top-level URL), never from what a page says. Sessions live in storage.session,
 * which outlives an MV3 worker's sleep and which content scripts cannot touch; the background
 * keeps a synchronous copy, so that Firefox's blocking listener can decide without awaiting.
 */
export interface TabSession {
  tabId: number;
  /** The committed top-level page, origin and path only. */
  pageUrl: string;
  /** The page's site, as resolved when the document committed or was recognised. */
  site: MonitoredSite;
}

/** What webRequest tells about a request, in either browser. */
export interface ScopedRequest {
  url: string;
  tabId: number;
  type: string;
  /** Firefox: the document that made the request. */
  documentUrl?: string;
  /** Chrome: the origin that made the request. */
  initiator?: string;
}

/** A request in scope, and the site its findings are judged for. */
export interface InScope {
  /** The site to judge with: the request's own host, under the session's service profile. */
  site: MonitoredSite;
  /** The page that opened it, when it was in scope through its tab or document. */
  pageHost?: string;
  how: 'own-host' | 'tab' | 'document' | 'message-host';
}

const KEY_PREFIX = 'scope:';
const keyOf = (tabId: number) => `${KEY_PREFIX}${tabId}`;

/** The request's host judged under the site of the page that opened it. */
function underSite(host: string, page: MonitoredSite): MonitoredSite {
  return { ...page, host };
}

/**
 * Whether a request belongs to a messaging session, and under which site. Pure: `sessionOf`
 * reads the sessions the background keeps, `lists` are the site lists.
 * - its own host is mail or chat (as before the session scope);
 * - its tab is in a session: every request of that page and its frames, except a top-level
 *   navigation, which belongs to the next document, not this one;
 * - no tab (a service worker's request), but the document or initiator is mail or chat;
 * - no tab, and its host is one a built-in service is known to carry messages on.
 */
export function scopeOf(request: ScopedRequest, sessionOf: (tabId: number) => TabSession | undefined, lists: SiteLists): InScope | undefined {
  const host = hostOf(request.url);
  if (!host) return undefined;
  // By URL, so a service that owns only some paths of a host (Messenger in Facebook) counts there alone.
  const own = resolveSiteForUrl(request.url, lists);
  if (own) return { site: own, how: 'own-host' };
  if (request.type !== 'main_frame') {
    const session = request.tabId >= 0 ? sessionOf(request.tabId) : undefined;
    if (session) return { site: underSite(host, session.site), pageHost: session.site.host, how: 'tab' };
    const opener = request.documentUrl ?? request.initiator;
    const openerSite = opener && request.tabId < 0 ? resolveSiteForUrl(opener, lists) : undefined;
    if (openerSite) return { site: underSite(host, openerSite), pageHost: openerSite.host, how: 'document' };
  }
  // Without a tab (a service worker's socket) only: an ordinary page calling the same API is not a session.
  const profile = request.tabId < 0 ? serviceForMessageHost(host) : undefined;
  if (profile) return { site: { host, name: profile.name, source: 'builtin', profile }, how: 'message-host' };
  return undefined;
}

function isSession(value: unknown): value is TabSession {
  const v = value as Partial<TabSession> | undefined;
  return Boolean(v && typeof v.tabId === 'number' && typeof v.pageUrl === 'string' && v.site && typeof v.site.host === 'string' && typeof v.site.name === 'string');
}

/**
 * The background's sessions: one writer, mirrored in memory, stored in storage.session.
 * `onChange` is told whenever the set of tabs in a session may have changed (Firefox registers its
 * blocking listeners for those tabs: lib/background/request-scope/scope.ts).
 */
export function createSessionScopes(onChange: () => void = () => undefined) {
  const sessions = new Map<number, TabSession>();
  const ready = browser.storage.session.get(null).then(
    (stored) => {
      for (const [key, value] of Object.entries(stored)) {
        if (key.startsWith(KEY_PREFIX) && isSession(value) && !sessions.has(value.tabId)) sessions.set(value.tabId, value);
      }
      if (sessions.size) onChange();
    },
    () => undefined,
  );
  return {
    /** Resolves once the sessions stored before a worker restart are known. */
    ready,
    get(tabId: number): TabSession | undefined {
      return sessions.get(tabId);
    },
    /** The tabs in a session now. */
    tabs(): number[] {
      return [...sessions.keys()];
    },
    /** A new top-level document committed: a session when it is mail or chat, none otherwise. */
    async commit(tabId: number, url: string, site: MonitoredSite | undefined): Promise<void> {
      if (tabId < 0) return;
      await ready;
      if (!site) return this.end(tabId);
      const session: TabSession = { tabId, pageUrl: `${originOf(url)}${safePath(url)}`, site };
      const isNew = !sessions.has(tabId);
      sessions.set(tabId, session);
      if (isNew) onChange();
      await browser.storage.session.set({ [keyOf(tabId)]: session });
    },
    async end(tabId: number): Promise<void> {
      await ready;
      // Most pages were never in a session: they cost a lookup in memory, no storage write.
      if (!sessions.delete(tabId)) return;
      onChange();
      await browser.storage.session.remove(keyOf(tabId));
    },
  };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

export type SessionScopes = ReturnType<typeof createSessionScopes>;
