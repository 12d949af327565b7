import { isLocalDevelopmentHost } from '../url';
import { RECOGNISERS } from './recognise';
import { matchesHostPattern, serviceForPage, type ServiceProfile } from './services';

export interface MonitoredSite {
  host: string;
  name: string;
  source: 'builtin' | 'user' | 'recognised';
  profile?: ServiceProfile;
}

export interface SiteLists {
  /** Host patterns the user added (`mail.example.org`, `*.example.org`). */
  userSites: readonly string[];
  /** Hosts whose DOM was recognised as a self-hosted messaging app, with the recogniser id. */
  recognisedHosts: Readonly<Record<string, string>>;
}

/**
 * The one question every entrypoint asks before doing any work: is this a messaging page?
 * `path` (a URL's pathname) matters only for a service that owns part of its host (Messenger in
 * www.facebook.com/messages); without it such a service is not matched, so the rest of the site
 * stays out. Prefer {@link resolveSiteForUrl} wherever the URL is at hand.
 */
export function resolveSite(host: string, lists: SiteLists, path = ''): MonitoredSite | undefined {
  if (!host || isLocalDevelopmentHost(host)) return undefined;
  const profile = serviceForPage(host, path);
  if (profile) return { host, name: profile.name, source: 'builtin', profile };
  if (lists.userSites.some((pattern) => matchesHostPattern(host, pattern))) return { host, name: host, source: 'user' };
  const recognised = lists.recognisedHosts[host];
  if (recognised !== undefined) {
    const name = RECOGNISERS.find((r) => r.id === recognised)?.name ?? recognised;
    return { host, name: `${name} on ${host}`, source: 'recognised' };
  }
  return undefined;
}

/** {@link resolveSite} for a URL, path included; a URL that does not parse is no site. */
export function resolveSiteForUrl(url: string, lists: SiteLists): MonitoredSite | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return resolveSite(parsed.hostname.toLowerCase(), lists, parsed.pathname);
}

/** A user-entered site: a host name or `*.` + host name, lower case, nothing else. */
export function parseHostPattern(input: string): string | undefined {
  let text = input.trim().toLowerCase();
  try {
    if (text.includes('://')) text = new URL(text).hostname;
  } catch {
    return undefined;
  }
  const wildcard = text.startsWith('*.');
  const name = wildcard ? text.slice(2) : text;
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(name)) return undefined;
  return wildcard ? `*.${name}` : name;
}
