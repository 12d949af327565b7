/** Just enough Content-Security-Policy parsing to tell whether script protection got weaker. */
export type Policy = Map<string, string[]>;

export function parseCsp(header: string | null): Policy | null {
  if (header === null) return null;
  const policy: Policy = new Map();
  // Several policies (comma-joined headers) all apply; the first one of each directive wins.
  for (const part of header.split(/[;,]/)) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const directive = name.toLowerCase();
    if (!policy.has(directive)) policy.set(directive, sources.map((s) => s.toLowerCase()));
  }
  return policy;
}

/** The sources that govern scripts: script-src, else default-src; undefined means unrestricted. */
export function scriptSources(policy: Policy | null): string[] | undefined {
  return policy?.get('script-src') ?? policy?.get('default-src');
}

const WIDE = new Set(['*', 'https:', 'http:', 'data:', 'blob:']);
const isNonceOrHash = (s: string) => /^'(nonce|sha256|sha384|sha512)-/.test(s);

/** Why `after` protects scripts less than `before`; empty when it does not. */
export function cspWeakenings(beforeHeader: string | null, afterHeader: string | null): string[] {
  const before = scriptSources(parseCsp(beforeHeader));
  if (!before) return [];
  const after = scriptSources(parseCsp(afterHeader));
  if (afterHeader === null) return ['the Content-Security-Policy header is gone'];
  if (!after) return ['scripts are no longer restricted (no script-src or default-src)'];
  const reasons: string[] = [];
  const had = new Set(before);
  // With a nonce or hash present, browsers ignore 'unsafe-inline'.
  if (after.includes("'unsafe-inline'") && !had.has("'unsafe-inline'") && !after.some(isNonceOrHash)) reasons.push("'unsafe-inline' was added");
  if (after.includes("'unsafe-eval'") && !had.has("'unsafe-eval'")) reasons.push("'unsafe-eval' was added");
  for (const source of after) {
    if (had.has(source) || isNonceOrHash(source) || source.startsWith("'")) continue;
    reasons.push(WIDE.has(source) ? `the wildcard source ${source} was added` : `the source ${source} was added`);
  }
  return reasons;
}
