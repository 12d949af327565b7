import type { SiteLists } from '../core/sites';
import { SERVICES } from '../core/sites/services';
import { isLocalDevelopmentHost } from '../core/url';

/**
 * Which pages get a content script. The background registers it at run time, from the site lists,
 * instead of the manifest injecting one script into every page: `watch` runs on hosts already
 * known to be mail or chat (built-in services, the user's sites, hosts recognised before). It
 * knows that from where it was injected, so it starts observing without reading storage or
 * resolving the host: its start-up is what a mail page pays. No other page gets a content script:
 * `recognise` (RECOGNISE_SCRIPT) is injected only into a page whose response hinted at a
 * self-hosted webmail or chat (lib/background/recognition.ts).
 *
 * Being injected is a hint, not a verdict: the background resolves every message's sender URL
 * against its own lists, so a registration a moment out of date costs a dropped message at worst.
 */
export interface ContentScriptRegistration {
  id: 'watch' | 'watch-paths';
  js: string[];
  matches: string[];
  excludeMatches?: string[];
  allFrames: boolean;
  /** Also srcdoc, about:blank, data: and blob: frames whose creator matches (Chrome 119+, Firefox 128+). */
  matchOriginAsFallback: boolean;
  runAt: 'document_start';
  persistAcrossSessions: boolean;
}

export const WATCH_SCRIPT = 'content-scripts/watch.js';
/** Injected by lib/background/recognition.ts into hinted pages only, never registered. */
export const RECOGNISE_SCRIPT = 'content-scripts/recognise.js';

// Host names only (a match pattern with anything else, an IPv6 literal or a stray character,
// would make the browser refuse the whole registration, and then no page would be watched).
const HOST = /^(\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/** `mail.example.org` → `*://mail.example.org/*`; `*.example.org` keeps its wildcard. */
export function matchPatternForHost(host: string): string | undefined {
  const name = host.toLowerCase();
  if (name.length > 253 || !HOST.test(name) || isLocalDevelopmentHost(name.replace(/^\*\./, ''))) return undefined;
  return `*://${name}/*`;
}

/**
 * The patterns of a service that owns only some paths of its host: each prefix itself, below it
 * and with a query (match patterns test the path and query together), so `/messages/t/1` matches
 * and `/messagesfoo` or `/groups/1` do not.
 */
export function matchPatternsForPaths(host: string, paths: readonly string[]): string[] {
  const hostPattern = matchPatternForHost(host);
  if (!hostPattern) return [];
  const base = hostPattern.slice(0, -'/*'.length);
  return paths.filter((path) => /^\/[a-z0-9/_-]+$/.test(path) && !path.endsWith('/')).flatMap((path) => [`${base}${path}`, `${base}${path}/*`, `${base}${path}?*`]);
}

/** Every host (and path-scoped service) the lists know, as match patterns, sorted and without duplicates. */
export function knownHostPatterns(lists: SiteLists): string[] {
  const services = SERVICES.flatMap(({ hosts, paths }) =>
    paths ? hosts.flatMap((host) => matchPatternsForPaths(host, paths)) : hosts.map(matchPatternForHost),
  );
  const others = [...lists.userSites, ...Object.keys(lists.recognisedHosts)].map(matchPatternForHost);
  return [...new Set([...services, ...others].filter((p): p is string => p !== undefined))].sort();
}

/**
 * The registrations for these lists. All inject into every frame from document_start: webmail
 * shows messages in frames of its own (Roundcube's reading pane), and a proxy can rewrite those
 * documents as easily as the top one. Frames without a URL of their own (srcdoc, about:blank) are
 * watched for the page that made them: injected code hides there otherwise. Chrome accepts that
 * fallback only for patterns whose path is `/*`, so services that own only some paths of a host
 * (Messenger in Facebook) get a registration of their own, `watch-paths`, without it.
 */
export function contentScriptsFor(lists: SiteLists): ContentScriptRegistration[] {
  const known = knownHostPatterns(lists);
  const wholeHosts = known.filter((pattern) => /^\*:\/\/[^/]+\/\*$/.test(pattern));
  const paths = known.filter((pattern) => !wholeHosts.includes(pattern));
  const common = { allFrames: true, matchOriginAsFallback: true, runAt: 'document_start', persistAcrossSessions: true } as const;
  return [
    { id: 'watch', js: [WATCH_SCRIPT], matches: wholeHosts, ...common },
    // A browser refuses a registration with no `matches`.
    ...(paths.length ? [{ id: 'watch-paths' as const, js: [WATCH_SCRIPT], matches: paths, ...common, matchOriginAsFallback: false }] : []),
  ];
}

/** The part of `scripting` (both browsers: Chrome MV3, Firefox 102+ in MV2) this needs. */
export interface ScriptingApi {
  getRegisteredContentScripts(filter?: { ids?: string[] }): Promise<Partial<ContentScriptRegistration>[]>;
  registerContentScripts(scripts: ContentScriptRegistration[]): Promise<unknown>;
  updateContentScripts(scripts: ContentScriptRegistration[]): Promise<unknown>;
  unregisterContentScripts(filter?: { ids?: string[] }): Promise<unknown>;
}

const sameSet = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
function sameRegistration(registered: Partial<ContentScriptRegistration>, wanted: ContentScriptRegistration): boolean {
  return (
    sameSet(registered.js, wanted.js) &&
    sameSet(registered.matches, wanted.matches) &&
    sameSet(registered.excludeMatches, wanted.excludeMatches) &&
    registered.allFrames === wanted.allFrames &&
    Boolean(registered.matchOriginAsFallback) === wanted.matchOriginAsFallback &&
    registered.runAt === wanted.runAt &&
    registered.persistAcrossSessions !== false
  );
}

/**
 * Brings the browser's registrations to `wanted`, touching only what differs (the background runs
 * this at every start, and an unchanged registration costs nothing). Registrations persist across
 * browser restarts, so pages that load before the background has started are watched too.
 * Returns what it changed, for tests and logs.
 */
export async function syncContentScripts(scripting: ScriptingApi, wanted: readonly ContentScriptRegistration[]): Promise<string[]> {
  const registered = await scripting.getRegisteredContentScripts();
  const byId = new Map(registered.map((script) => [script.id, script]));
  const changed: string[] = [];
  const stale = registered.map((script) => script.id).filter((id): id is ContentScriptRegistration['id'] => !wanted.some((w) => w.id === id));
  if (stale.length) {
    await scripting.unregisterContentScripts({ ids: stale });
    changed.push(...stale.map((id) => `unregistered ${id}`));
  }
  for (const script of wanted) {
    const current = byId.get(script.id);
    if (current && sameRegistration(current, script)) continue;
    if (current) await scripting.updateContentScripts([script]);
    else await scripting.registerContentScripts([script]);
    changed.push(`${current ? 'updated' : 'registered'} ${script.id}`);
  }
  return changed;
}

/**
 * One sync at a time, each for the newest lists: two overlapping syncs would both see nothing
 * registered and both register, and the browser refuses the second as a duplicate id.
 */
export function createContentScriptSync(scripting: ScriptingApi): (lists: SiteLists) => Promise<string[]> {
  let last: Promise<unknown> = Promise.resolve();
  return (lists) => {
    const run = last.catch(() => undefined).then(() => syncContentScripts(scripting, contentScriptsFor(lists)));
    last = run;
    return run;
  };
}
