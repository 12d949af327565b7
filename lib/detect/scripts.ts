import { isLearning } from '../baseline';
import type { ScriptRef } from '../observations';
import type { Finding } from '../types';
import { hostOf, originOf, sanitiseUrl } from '../url';
import type { DetectContext } from './context';

const EXTENSION_SCHEMES = ['chrome-extension:', 'moz-extension:', 'safari-web-extension:'];

/** Origins of external scripts that say something about the network: http(s) only. */
export function networkScriptOrigins(scripts: readonly ScriptRef[]): Map<string, string> {
  const origins = new Map<string, string>();
  for (const script of scripts) {
    if (!script.src || EXTENSION_SCHEMES.some((scheme) => script.src!.startsWith(scheme))) continue;
    const origin = originOf(script.src);
    if (origin.startsWith('http') && !origins.has(origin)) origins.set(origin, script.src);
  }
  return origins;
}

/**
 * script.new-origin: a script from an origin this page never used — not its own, not one its
 * service profile lists, not one learned in the first visit. After learning, new origins are
 * reported rather than learned, so an injected script cannot become "normal" by persisting.
 */
export function detectNewScriptOrigins(pageUrl: string, scripts: readonly ScriptRef[], ctx: DetectContext): Finding[] {
  const pageOrigin = originOf(pageUrl);
  const expected = new Set([pageOrigin, ...(ctx.site.profile?.scriptOrigins ?? [])]);
  // Profiles are not yet complete enough to judge a first visit without noise: learn it instead.
  if (ctx.baseline === undefined || isLearning(ctx.baseline)) return [];
  const known = new Set(ctx.baseline?.scriptOrigins ?? []);
  const findings: Finding[] = [];
  for (const [origin, src] of networkScriptOrigins(scripts)) {
    if (expected.has(origin) || known.has(origin)) continue;
    findings.push({
      rule: 'script.new-origin',
      severity: 'high',
      host: hostOf(pageUrl),
      url: pageUrl,
      evidence: {
        scriptUrl: sanitiseUrl(src),
        scriptOrigin: origin,
        knownOrigins: [...expected, ...known].sort(),
        baselineVisits: ctx.baseline?.visits ?? 0,
      },
      dedupeParts: [origin],
    });
  }
  return findings;
}
