/**
 * Content-Security-Policy, judged as the browser enforces it, only as far as it protects scripts:
 * every policy of every header applies (a script runs only if all of them allow it), the
 * `-elem` / `-attr` directives govern script elements and event handlers apart, and nonces, hashes
 * and 'strict-dynamic' switch the sources they override off.
 */

/** One policy: directive name → its source list (lowercased). */
export type Policy = Map<string, string[]>;

/**
 * Every policy in a header value. Several headers arrive joined by commas (the background joins
 * them so), and a comma separates policies inside one header too: each one is enforced.
 */
export function parsePolicies(header: string | null): Policy[] {
  if (header === null) return [];
  const policies: Policy[] = [];
  // Firefox may hand several headers of one name over as one value, one per line.
  for (const serialised of header.split(/[,\n]/)) {
    const policy: Policy = new Map();
    for (const part of serialised.split(';')) {
      const [name, ...sources] = part.trim().split(/\s+/);
      if (!name) continue;
      const directive = name.toLowerCase();
      // Within one policy the first occurrence of a directive wins; later ones are ignored.
      if (!policy.has(directive)) policy.set(directive, sources.map((s) => s.toLowerCase()));
    }
    if (policy.size) policies.push(policy);
  }
  return policies;
}

/** What one source list lets run, after the browser's own overriding rules. */
export interface ScriptAllowance {
  inline: boolean;
  eval: boolean;
  /** Host, scheme and 'self' sources still in force; empty when 'strict-dynamic' overrides them. */
  sources: string[];
}

const isNonceOrHash = (s: string) => /^'(nonce|sha256|sha384|sha512)-/.test(s);

export function allowanceOf(list: readonly string[]): ScriptAllowance {
  const strictDynamic = list.includes("'strict-dynamic'");
  // A nonce or hash switches 'unsafe-inline' off; 'strict-dynamic' switches off it and every
  // host and scheme source (CSP 3, "script-src" algorithm).
  const inline = list.includes("'unsafe-inline'") && !strictDynamic && !list.some(isNonceOrHash);
  const sources = strictDynamic ? [] : list.filter((s) => !s.startsWith("'") || s === "'self'");
  return { inline, eval: list.includes("'unsafe-eval'"), sources };
}

/** The two things scripts come through: elements (and their URLs) and event-handler attributes. */
type ScriptChannel = 'elem' | 'attr';

function listFor(policy: Policy, channel: ScriptChannel): string[] | undefined {
  return policy.get(`script-src-${channel}`) ?? policy.get('script-src') ?? policy.get('default-src');
}

/** '*' allows every network scheme, not data:, blob: or filesystem: (CSP 3 §6.7.2.7). */
function sourceCovers(list: readonly string[], source: string): boolean {
  if (list.includes(source)) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(source)?.[1];
  if (list.includes('*') && !['data', 'blob', 'filesystem'].includes(scheme ?? '')) return true;
  // A scheme source ("https:") covers every host source of that scheme.
  return scheme !== undefined && list.includes(`${scheme}:`);
}

/**
 * What a set of policies lets run through one channel; undefined when none restricts it. A script
 * runs only if every policy allows it, so a source counts only when all of them cover it.
 */
export function combinedAllowance(policies: readonly Policy[], channel: ScriptChannel): ScriptAllowance | undefined {
  const allowances = policies.map((p) => listFor(p, channel)).filter((l): l is string[] => l !== undefined).map(allowanceOf);
  const [first, ...rest] = allowances;
  if (!first) return undefined;
  return {
    inline: allowances.every((a) => a.inline),
    eval: allowances.every((a) => a.eval),
    sources: first.sources.filter((s) => rest.every((a) => sourceCovers(a.sources, s))),
  };
}

const WIDE = new Set(['*', 'https:', 'http:', 'data:', 'blob:']);

function elementWeakenings(before: ScriptAllowance, after: ScriptAllowance): string[] {
  const reasons: string[] = [];
  if (after.inline && !before.inline) reasons.push("'unsafe-inline' was added");
  if (after.eval && !before.eval) reasons.push("'unsafe-eval' was added");
  for (const source of after.sources) {
    if (sourceCovers(before.sources, source)) continue;
    reasons.push(`${WIDE.has(source) ? 'the wildcard source' : 'the source'} ${source} was added`);
  }
  return reasons;
}

/**
 * Why `after` protects scripts less than `before`; empty when it does not. Event-handler
 * attributes are judged apart (script-src-attr), but only for inline code: sources do not apply
 * to them.
 */
export function cspWeakenings(beforeHeader: string | null, afterHeader: string | null): string[] {
  const before = parsePolicies(beforeHeader);
  const after = parsePolicies(afterHeader);
  const wasElem = combinedAllowance(before, 'elem');
  const wasAttr = combinedAllowance(before, 'attr');
  if (!wasElem && !wasAttr) return [];
  if (afterHeader === null) return ['the Content-Security-Policy header is gone'];
  const nowElem = combinedAllowance(after, 'elem');
  const nowAttr = combinedAllowance(after, 'attr');
  if (wasElem && !nowElem) return ['scripts are no longer restricted (no script-src or default-src)'];
  const reasons = wasElem && nowElem ? elementWeakenings(wasElem, nowElem) : [];
  const attrInline = wasAttr && !wasAttr.inline && (!nowAttr || nowAttr.inline);
  if (attrInline && !reasons.includes("'unsafe-inline' was added")) reasons.push(nowAttr ? "'unsafe-inline' was added for event-handler attributes" : 'event-handler attributes are no longer restricted');
  return reasons;
}
