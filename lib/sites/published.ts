import type { SiteLists } from './index';

/**
 * The site lists as the background last worked them out (user sites merged with an
 * administrator's, plus recognised hosts), under one `storage.local` key. A content script starts
 * on every page load; reading this one key costs it one storage round trip, where working the lists
 * out itself would cost three, one of them `storage.managed`, the slowest.
 */
export const PUBLISHED_SITE_LISTS_KEY = 'siteListsForPages';

const EMPTY: SiteLists = { userSites: [], recognisedHosts: {} };

/** Whatever is stored (nothing yet, an older shape, a hand edit) becomes valid lists. */
export function readPublishedSiteLists(stored: Record<string, unknown>): SiteLists {
  const value = stored[PUBLISHED_SITE_LISTS_KEY] as { userSites?: unknown; recognisedHosts?: unknown } | undefined;
  if (!value || typeof value !== 'object') return EMPTY;
  const userSites = Array.isArray(value.userSites) ? value.userSites.filter((s): s is string => typeof s === 'string') : [];
  const recognisedHosts: Record<string, string> = {};
  if (value.recognisedHosts && typeof value.recognisedHosts === 'object') {
    for (const [host, id] of Object.entries(value.recognisedHosts as Record<string, unknown>)) {
      if (typeof id === 'string') recognisedHosts[host] = id;
    }
  }
  return { userSites, recognisedHosts };
}

export function sameSiteLists(a: SiteLists, b: SiteLists): boolean {
  const hosts = (lists: SiteLists) => Object.entries(lists.recognisedHosts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([a.userSites, hosts(a)]) === JSON.stringify([b.userSites, hosts(b)]);
}
