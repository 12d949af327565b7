import { isLearning, type Baseline } from '../baseline';
import { LIMITS } from '../limits';
import { cspWeakenings } from '../csp';
import { sha256Hex } from '../hash';
import type { CspViolation, FrameRef, HeadersObservation, ScriptBytesObservation, ScriptRef } from '../observations';
import { worstSeverity, type Finding } from '../types';
import { hostOf, originOf, pathIdsHashed, queryNames, sanitiseUrl } from '../url';
import type { DetectContext } from './context';

const EXTENSION_SCHEMES = ['chrome-extension:', 'moz-extension:', 'safari-web-extension:'];

/**
 * Sources of external scripts that say something about the network: http(s) origins, and code
 * without an origin (`data:`, `blob:`), which counts as a source of its own. Each maps to the
 * first script seen from it.
 */
export function networkScriptOrigins(scripts: readonly ScriptRef[]): Map<string, ScriptRef> {
  const origins = new Map<string, ScriptRef>();
  for (const script of scripts) {
    if (!script.src || EXTENSION_SCHEMES.some((scheme) => script.src!.startsWith(scheme))) continue;
    const originless = /^(data|blob):/i.exec(script.src);
    const origin = originless ? `${originless[1]!.toLowerCase()}:` : originOf(script.src);
    if ((originless || origin.startsWith('http')) && !origins.has(origin)) origins.set(origin, script);
  }
  return origins;
}

/**
 * script.new-origin: a script from an origin this page never used — not its own, not one its
 * service profile lists, not one learned in the first visit. After learning, new origins are
 * reported rather than learned, so an injected script cannot become "normal" by persisting.
 * Code from a `data:` URL is named by its first characters; code that hid from the DOM walk says how.
 */
export function detectNewScriptOrigins(pageUrl: string, scripts: readonly ScriptRef[], ctx: DetectContext): Finding[] {
  const pageOrigin = originOf(pageUrl);
  const allowed = ctx.site.profile?.scriptOrigins ?? [];
  const expected = new Set([pageOrigin, ...allowed.filter((entry) => !entry.endsWith('/'))]);
  // Profiles are not yet complete enough to judge a first visit without noise: learn it instead.
  if (ctx.baseline === undefined || isLearning(ctx.baseline)) return [];
  const known = new Set(ctx.baseline?.scriptOrigins ?? []);
  const findings: Finding[] = [...detectOutsideAllowedPaths(pageUrl, scripts, allowed, expected, ctx)];
  // Origins the profile lists with paths are judged by path only (above).
  const byPath = new Set(allowed.filter((entry) => entry.endsWith('/')).map(originOf));
  for (const [origin, script] of networkScriptOrigins(scripts)) {
    if (expected.has(origin) || known.has(origin) || byPath.has(origin)) continue;
    findings.push({
      rule: 'script.new-origin',
      // Page code makes blob: URLs of its own; a proxy has to inject code for one first.
      severity: origin === 'blob:' ? 'medium' : 'high',
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: {
        scriptUrl: sanitiseUrl(script.src!),
        scriptOrigin: origin,
        // A data: URL's code is page content, quoted only with inline previews switched on.
        ...(origin === 'data:' && script.preview && ctx.inlinePreviews ? { preview: script.preview } : {}),
        ...(script.hidden ? { hidden: script.hidden } : {}),
        ...(script.network ? { seenBy: 'network' } : {}),
        knownOrigins: [...expected, ...known].sort(),
        baselineVisits: ctx.baseline?.visits ?? 0,
      },
      dedupeParts: [origin],
    });
  }
  return findings;
}

/**
 * Scripts from an origin the profile trusts under some paths only (it also serves code for
 * anyone there), loaded from elsewhere on it: judged by path, whatever the baseline learned.
 */
function detectOutsideAllowedPaths(pageUrl: string, scripts: readonly ScriptRef[], allowed: readonly string[], expected: ReadonlySet<string>, ctx: DetectContext): Finding[] {
  const paths = allowed.filter((entry) => entry.endsWith('/'));
  if (!paths.length) return [];
  const findings: Finding[] = [];
  for (const script of scripts) {
    const origin = script.src ? originOf(script.src) : '';
    if (!origin || expected.has(origin) || !paths.some((p) => originOf(p) === origin)) continue;
    const path = sanitiseUrl(script.src!);
    if (paths.some((p) => path.startsWith(p)) || findings.some((f) => f.evidence.scriptUrl === path)) continue;
    findings.push({
      rule: 'script.new-origin',
      severity: 'high',
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: { scriptUrl: path, scriptOrigin: origin, allowedPaths: paths.filter((p) => originOf(p) === origin), baselineVisits: ctx.baseline?.visits ?? 0 },
      dedupeParts: [origin, path],
    });
  }
  return findings;
}

/**
 * A page carried more scripts than the content script inventories: what came after the limit
 * was not hashed (external sources past it are still named). Reported, not dropped in silence.
 */
export function detectScriptBudgetExceeded(pageUrl: string, exceeded: boolean | undefined, _ctx: DetectContext): Finding[] {
  if (!exceeded) return [];
  return [
    {
      rule: 'script.new-inline',
      severity: 'medium',
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: { budgetExceeded: true, limit: LIMITS.scriptsPerPage, page: pageKeyOf(pageUrl), note: 'more scripts than tapguard inventories on one page: inline code past the limit was not checked' },
      dedupeParts: ['budget', pageKeyOf(pageUrl)],
    },
  ];
}

// ---- inline scripts ---------------------------------------------------------------------------

/** Visits without a new inline script after which a page's inline scripts count as stable. */
export const STABLE_INLINE_VISITS = 3;
const MAX_INLINE_PER_PAGE = 64;
const MAX_PAGE_KEYS = 50;

/**
 * Which "page" of an app a URL is: its path (ids hashed, lib/core/url.ts) plus the names of its query
 * parameters, never their values (`_mbox=INBOX/Sources` and `_search=…` name folders and
 * searches), so that the inbox (`?_task&_mbox`) and the compose screen (`?_action&_id&_task`) are
 * judged apart and each message is not a new page.
 */
export function pageKeyOf(url: string): string {
  try {
    const { pathname, searchParams } = new URL(url);
    const names = queryNames(searchParams);
    const path = pathIdsHashed(pathname);
    return names.length ? `${path}?${names.join('&')}` : path;
  } catch {
    return '';
  }
}

/** Parser-inserted inline scripts: the ones a tampered response adds. App-generated ones churn. */
function staticInline(scripts: readonly ScriptRef[]): ScriptRef[] {
  return scripts.filter((s) => s.inlineSha256 && (!s.dynamic || s.hidden));
}

/**
 * script.new-inline: inline code this page never carried, on a page whose inline scripts have
 * not changed for several visits. Until then new inline code is learned, so a site that rotates
 * its inline scripts never becomes noisy. Inline code that hid from the DOM walk (in a srcdoc
 * frame, or behind a forged DOMContentLoaded) is judged as soon as the host is past learning:
 * an app's own churn does not hide.
 */
export function detectNewInline(pageUrl: string, scripts: readonly ScriptRef[], ctx: DetectContext): Finding[] {
  if (ctx.site.profile?.volatileInline) return [];
  const page = ctx.baseline?.inline?.[pageKeyOf(pageUrl)];
  const stable = page !== undefined && page.stableVisits >= STABLE_INLINE_VISITS;
  const pastLearning = ctx.baseline !== undefined && !isLearning(ctx.baseline);
  if (!stable && !pastLearning) return [];
  const known = new Set(page?.hashes ?? []);
  return scripts
    .filter((s) => s.inlineSha256 && !known.has(s.inlineSha256) && (s.hidden ? pastLearning : stable && !s.dynamic))
    .map((s) => ({
      rule: 'script.new-inline' as const,
      severity: 'medium' as const,
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: {
        sha256: s.inlineSha256!,
        // Page content: kept only if the user switched inline previews on (settings).
        ...(ctx.inlinePreviews ? { preview: s.preview ?? '' } : {}),
        page: pageKeyOf(pageUrl),
        ...(s.hidden ? { hidden: s.hidden } : {}),
        knownInlineScripts: page?.hashes.length ?? 0,
        stableVisits: page?.stableVisits ?? 0,
      },
      dedupeParts: [s.inlineSha256!],
    }));
}

export function learnInline(baseline: Baseline, pageUrl: string, scripts: readonly ScriptRef[], reported: ReadonlySet<string>): Baseline {
  const key = pageKeyOf(pageUrl);
  const inline = { ...(baseline.inline ?? {}) };
  const page = inline[key] ?? { hashes: [], stableVisits: -1 };
  const fresh = staticInline(scripts)
    .map((s) => s.inlineSha256!)
    .filter((h) => !page.hashes.includes(h) && !reported.has(h));
  inline[key] = fresh.length
    ? { hashes: [...page.hashes, ...fresh].slice(-MAX_INLINE_PER_PAGE), stableVisits: 0 }
    : { hashes: page.hashes, stableVisits: page.stableVisits + 1 };
  const keys = Object.keys(inline);
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGE_KEYS))) delete inline[old];
  return { ...baseline, inline };
}

// ---- SRI and script bytes -----------------------------------------------------------------------

const scriptPath = (src: string) => sanitiseUrl(src);

/** script.content-changed (SRI form): a script that carried an integrity attribute lost it. */
export function detectSriRemoved(pageUrl: string, scripts: readonly ScriptRef[], ctx: DetectContext): Finding[] {
  const protectedScripts = new Set(ctx.baseline?.sriScripts ?? []);
  return scripts
    .filter((s) => s.src && s.integrity === false && protectedScripts.has(scriptPath(s.src)))
    .map((s) => ({
      rule: 'script.content-changed' as const,
      severity: 'high' as const,
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: { scriptUrl: scriptPath(s.src!), change: 'Subresource Integrity attribute removed' },
      dedupeParts: [scriptPath(s.src!), 'sri'],
    }));
}

export function learnSri(baseline: Baseline, scripts: readonly ScriptRef[]): Baseline {
  const withSri = scripts.filter((s) => s.src && s.integrity).map((s) => scriptPath(s.src!));
  if (!withSri.length) return baseline;
  return { ...baseline, sriScripts: [...new Set([...(baseline.sriScripts ?? []), ...withSri])].slice(-256) };
}

/**
 * script.content-changed (Firefox): a script URL that promised never to change served different
 * bytes, or bytes too many to hash. A URL whose bytes were learned stays checked whatever its
 * headers say now, so a proxy that strips `Cache-Control: immutable` does not switch it off.
 */
export function detectScriptBytesChanged(bytes: ScriptBytesObservation, urlKey: string, ctx: DetectContext): Finding[] {
  const before = ctx.baseline?.scriptBytes?.[urlKey];
  if (bytes.sha256 === undefined) {
    return [
      {
        rule: 'script.content-changed',
        // Padded past the bound where it used to be hashable is a change; otherwise unknown.
        severity: before === undefined ? 'medium' : 'high',
        host: hostOf(bytes.pageUrl),
        url: bytes.pageUrl,
        evidence: { scriptUrl: sanitiseUrl(bytes.url), change: 'too large to hash', ...(before ? { baselineSha256: before } : {}) },
        dedupeParts: [urlKey, 'too-large'],
      },
    ];
  }
  if (before === undefined || before === bytes.sha256) return [];
  return [
    {
      rule: 'script.content-changed',
      severity: 'high',
      host: hostOf(bytes.pageUrl),
      url: bytes.pageUrl,
      evidence: { scriptUrl: sanitiseUrl(bytes.url), sha256: bytes.sha256, baselineSha256: before },
      dedupeParts: [urlKey, bytes.sha256],
    },
  ];
}

export function learnScriptBytes(baseline: Baseline, bytes: ScriptBytesObservation, urlKey: string): Baseline {
  if (!bytes.immutable || bytes.sha256 === undefined || baseline.scriptBytes?.[urlKey] !== undefined) return baseline;
  const entries = Object.entries({ ...(baseline.scriptBytes ?? {}), [urlKey]: bytes.sha256 }).slice(-256);
  return { ...baseline, scriptBytes: Object.fromEntries(entries) };
}

/** The key a script URL's bytes are learned under: the full URL (query included), hashed. */
export function scriptBytesKey(url: string): string {
  return sha256Hex(url).slice(0, 32);
}

/** A script URL says it never changes when its path carries a content hash or a version. */
export function looksImmutable(url: string, cacheControl: string | null): boolean {
  if (cacheControl && /immutable/i.test(cacheControl)) return true;
  const maxAge = cacheControl ? Number(/max-age=(\d+)/i.exec(cacheControl)?.[1] ?? 0) : 0;
  if (maxAge >= 30 * 24 * 3600) return true;
  try {
    const { pathname, searchParams } = new URL(url);
    return /[.-][0-9a-f]{8,}\.m?js$/i.test(pathname) || /\/v?\d+\.\d+(\.\d+)?\//.test(pathname) || /^[0-9a-f]{8,}$/i.test(searchParams.get('v') ?? searchParams.get('s') ?? '');
  } catch {
    return false;
  }
}

// ---- CSP ----------------------------------------------------------------------------------------

/** script.csp-dropped: the host's CSP is gone or protects scripts less than the learned one. */
export function detectCspDropped(headers: HeadersObservation, ctx: DetectContext): Finding[] {
  const before = ctx.baseline?.csp;
  if (!before) return [];
  const reasons = cspWeakenings(before, headers.contentSecurityPolicy);
  if (!reasons.length) return [];
  return [
    {
      rule: 'script.csp-dropped',
      severity: headers.contentSecurityPolicy === null ? 'high' : 'medium',
      host: hostOf(headers.url),
      url: headers.url,
      evidence: { reasons, header: headers.contentSecurityPolicy, baselineHeader: before },
      dedupeParts: [headers.contentSecurityPolicy === null ? 'missing' : sha256Hex(headers.contentSecurityPolicy)],
    },
  ];
}

/** Sightings of a stricter policy before it replaces the learned one. */
export const CSP_TIGHTEN_SIGHTINGS = 3;

/**
 * The learned CSP only ever gets stricter, and only once a stricter header has come back on
 * several visits in a row: one stricter header a proxy sends once would otherwise become the norm, and
 * every genuine visit after it would alarm. The first policy is learned at once (trust on first
 * use, like everything else); a weaker header is reported, never learned.
 */
export function learnCsp(baseline: Baseline, header: string | null): Baseline {
  if (header === null) return baseline;
  const bounded = header.slice(0, 4096);
  if (!baseline.csp) return { ...baseline, csp: bounded };
  const { cspCandidate, ...rest } = baseline;
  // The learned policy (or a weaker one) came back: the stricter one did not stay.
  if (bounded === baseline.csp || cspWeakenings(baseline.csp, header).length) return cspCandidate ? rest : baseline;
  // Stricter (or as strict, written differently): count it, and learn it when it has stayed.
  const seen = cspCandidate?.header === bounded ? cspCandidate.seen + 1 : 1;
  return seen < CSP_TIGHTEN_SIGHTINGS ? { ...rest, cspCandidate: { header: bounded, seen } } : { ...rest, csp: bounded };
}

/** script.csp-violation: the page's own CSP refused something; script refusals matter most. */
export function detectCspViolations(pageUrl: string, violations: readonly CspViolation[], ctx: DetectContext): Finding[] {
  return violations.map((v) => {
    const isScript = /^script-src|^default-src|^script-src-elem/.test(v.directive);
    const blocked = v.blockedUrl.startsWith('http') ? originOf(v.blockedUrl) || v.blockedUrl : v.blockedUrl;
    return {
      rule: 'script.csp-violation' as const,
      severity: isScript ? ('medium' as const) : ('low' as const),
      host: hostOf(pageUrl),
      url: pageUrl,
      // The sample is the first characters of the refused code: page content, like an inline preview.
      evidence: { blocked, directive: v.directive, ...(ctx.inlinePreviews ? { sample: v.sample ?? '' } : {}) },
      dedupeParts: [blocked, v.directive.split(' ')[0] ?? ''],
    };
  });
}

// ---- frames and extensions ---------------------------------------------------------------------

/** script.hidden-iframe: an invisible frame from another site on a messaging page. */
export function detectHiddenFrames(pageUrl: string, frames: readonly FrameRef[], _ctx: DetectContext): Finding[] {
  const pageOrigin = originOf(pageUrl);
  return frames
    .filter((f) => f.hidden && originOf(f.src) && originOf(f.src) !== pageOrigin && f.src.startsWith('http'))
    .map((f) => ({
      rule: 'script.hidden-iframe' as const,
      severity: 'medium' as const,
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: { frameUrl: sanitiseUrl(f.src), frameOrigin: originOf(f.src), width: f.width, height: f.height },
      dedupeParts: [originOf(f.src)],
    }));
}

/** script.by-extension: code one of the user's own extensions put into the page. Info, not an attack. */
export function detectExtensionScripts(pageUrl: string, scripts: readonly ScriptRef[], _ctx: DetectContext): Finding[] {
  const ids = new Set<string>();
  for (const s of scripts) {
    const match = s.src && /^(chrome-extension|moz-extension|safari-web-extension):\/\/([^/]+)/.exec(s.src);
    if (match) ids.add(`${match[1]}://${match[2]}`);
  }
  return [...ids].map((extension) => ({
    rule: 'script.by-extension' as const,
    severity: 'info' as const,
    host: hostOf(pageUrl),
    url: pageUrl,
    evidence: { extension },
    dedupeParts: [extension],
  }));
}

/** Distinct sources a flood's evidence names at most: enough for any page, bounded for the log. */
export const MAX_FLOOD_SOURCES = 256;

/** The source a finding is about (script or frame origin, blocked URL, extension), if it names one. */
function sourceOf(evidence: Finding['evidence']): string | undefined {
  const source = evidence.scriptOrigin ?? evidence.blocked ?? evidence.frameOrigin ?? evidence.extension ?? evidence.sha256;
  return typeof source === 'string' && source ? source : undefined;
}

/**
 * A flood (a page inserting thousands of scripts or violations) becomes one incident per rule
 * carrying a count, a sample and every distinct source it held (bounded, and saying so), so a
 * payload hidden behind filler is still named, whatever its place in the flood.
 */
export function aggregateFlood(findings: Finding[], max = 20): Finding[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const out: Finding[] = [];
  for (const [rule, group] of byRule) {
    if (group.length <= max) {
      out.push(...group);
      continue;
    }
    const sources = new Set<string>();
    let more = 0;
    for (const f of group) {
      const source = sourceOf(f.evidence);
      if (source === undefined || sources.has(source)) continue;
      if (sources.size < MAX_FLOOD_SOURCES) sources.add(source);
      else more++;
    }
    const first = group[0]!;
    out.push({
      ...first,
      // The most severe of the group: a flood must not lower the payload's rating.
      severity: worstSeverity(group.map((f) => f.severity)) ?? first.severity,
      evidence: {
        flood: true,
        count: group.length,
        sources: [...sources].sort(),
        ...(more ? { sourcesLeftOut: more } : {}),
        sample: group.slice(0, max).map((f) => f.evidence),
      },
      dedupeParts: ['flood', rule],
    });
  }
  return out;
}
