import type { SiteLists } from '../../core/sites';
import { SERVICES } from '../../core/sites/services';
import { knownHostPatterns, matchPatternForHost } from '../content-scripts';

/**
 * Which requests tapguard's network listeners should see: a blocking listener (Firefox's
 * certificates and script bytes) holds every request it matches until the extension answers, and
 * any listener wakes Chrome's MV3 worker, so a broad one makes every site pay. They see only what
 * can be in scope (lib/background/session-scope.ts):
 * - `hosts`: the hosts known to be mail or chat (built-in services, the user's sites, recognised
 *   hosts: the same patterns the watch content script gets) and the hosts the built-in services
 *   carry their messages on, which count even without a tab (a service worker's socket);
 * - `tabs`: each tab in a messaging session, or navigating to a mail or chat page, whose every
 *   request is in scope whatever its host (the chat's socket host, the mail's API host).
 * Requests of any other tab never reach the extension.
 */
export interface ScopeFilters {
  /** Match patterns, sorted, without duplicates. */
  hosts: string[];
  /** Tab ids, sorted, without duplicates. */
  tabs: number[];
}

/** The lists before storage has been read: the built-in services alone (they are static). */
const BUILT_IN_ONLY: SiteLists = { userSites: [], recognisedHosts: {} };

/** The message hosts of every built-in service, as match patterns (`*.web.telegram.org` keeps its wildcard). */
export function messageHostPatterns(): string[] {
  const hosts = SERVICES.flatMap((service) => service.messageHosts ?? []);
  return [...new Set(hosts.map(matchPatternForHost).filter((p): p is string => p !== undefined))];
}

/** Every URL: what a listener sees until the lists and sessions are known (Chrome, lib/background/request-scope/scope.ts). */
export const EVERYTHING: ScopeFilters = { hosts: ['<all_urls>'], tabs: [] };

/**
 * The patterns restricted to these schemes (`http`, `ws`...): `*://host/*` becomes one pattern per
 * scheme, `<all_urls>` every host of each; a pattern naming another scheme is dropped. Without
 * schemes, the patterns as they are.
 */
export function patternsForSchemes(patterns: readonly string[], schemes?: readonly string[]): string[] {
  if (!schemes) return [...patterns];
  const rewritten = patterns.flatMap((pattern) => {
    if (pattern === '<all_urls>') return schemes.map((scheme) => `${scheme}://*/*`);
    const [, scheme = '', rest = ''] = /^(\*|[a-z]+)(:\/\/.*)$/.exec(pattern) ?? [];
    if (scheme === '*') return schemes.map((s) => `${s}${rest}`);
    return schemes.includes(scheme) ? [pattern] : [];
  });
  return [...new Set(rewritten)];
}

/** What the blocking listeners should be registered for, given the lists (undefined until loaded) and the scoped tabs. */
export function wantedScopeFilters(lists: SiteLists | undefined, scopedTabs: Iterable<number>): ScopeFilters {
  const hosts = [...new Set([...knownHostPatterns(lists ?? BUILT_IN_ONLY), ...messageHostPatterns()])].sort();
  const tabs = [...new Set([...scopedTabs].filter((tabId) => Number.isInteger(tabId) && tabId >= 0))].sort((a, b) => a - b);
  return { hosts, tabs };
}
