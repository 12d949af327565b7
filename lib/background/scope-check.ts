import { resolveSiteForUrl, type SiteLists } from '../core/sites';
import { scopeOf, type InScope, type ScopedRequest, type TabSession } from './session-scope';

/**
 * The background's one answer to "does tapguard look at this?", over the site lists it holds
 * (undefined until they load) and the tabs' sessions (lib/background/session-scope.ts).
 *
 * Two questions, each asked two ways. They differ in meaning, so they keep distinct names:
 * - of a request: `isInScope` is its messaging session (its own host is mail or chat, or its tab's
 *   page is, whatever the request's host), the scope every family is moving to;
 * - of a URL alone: `isMessagingUrl` says whether that page or host itself is mail or chat. The
 *   families that judge a page's own documents (its headers, its scripts) ask this, not the
 *   session: a request to another host is not the page's own. Certificates (Firefox's, Chrome's
 *   deep inspection and standard securityInfo) are judged for the whole session.
 * Each has a `mayBe…` form for the first turn of a woken MV3 worker, before the lists have loaded:
 * a listener whose event may be the one that woke the worker counts "not known yet" as yes, and
 * the monitor, which awaits the lists, decides; the strict forms count it as no.
 */
export function createScopeCheck(lists: () => SiteLists | undefined, sessionOf: (tabId: number) => TabSession | undefined) {
  /** True only when the lists are loaded and say the URL is mail or chat. */
  const isMessagingUrl = (url: string): boolean => {
    const loaded = lists();
    return Boolean(loaded && resolveSiteForUrl(url, loaded));
  };
  /** The request's session scope; undefined when out of it, or while the lists load. */
  const isInScope = (request: ScopedRequest): InScope | undefined => {
    const loaded = lists();
    return loaded ? scopeOf(request, sessionOf, loaded) : undefined;
  };
  return {
    isMessagingUrl,
    isInScope,
    /** False only when the URL is certainly not mail or chat (or there is none); true until the lists load. */
    mayBeMessaging: (url: string | undefined): boolean => !url || !lists() || isMessagingUrl(url),
    /**
     * False only when the request is certainly out of scope; true until the lists load. The same
     * as "its URL may be messaging, or it is in scope": scopeOf tries the request's own URL first.
     */
    mayBeInScope: (request: ScopedRequest): boolean => !lists() || isInScope(request) !== undefined,
    /** The URL is mail or chat, it is not, or the lists are not loaded yet (undefined). */
    knownMessagingUrl: (url: string): boolean | undefined => (lists() ? isMessagingUrl(url) : undefined),
  };
}

export type ScopeCheck = ReturnType<typeof createScopeCheck>;
