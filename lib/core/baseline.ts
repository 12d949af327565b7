import type { CertSummary } from './observations';

/**
 * What trust-on-first-use learned about one host. Sets, not single values: services rotate
 * leaves and keys under the same authority, and a baseline that held one value would alarm on
 * every renewal.
 */
export interface Baseline {
  host: string;
  firstSeen: number;
  lastSeen: number;
  /** Page observations of this host (main frames). */
  visits: number;
  seenHttps: boolean;
  scriptOrigins: string[];
  certRoots: string[];
  certIssuers: string[];
  certSpki: string[];
  /** SPKI digests of learned roots: a root re-issued with its own key is the same root. */
  certRootSpki?: string[];
  /** SPKI digests of the learned leaves' issuing certificates: another path to the same intermediate is the same CA. */
  certIssuerSpki?: string[];
  /** Subject of each learned root (sha256 → subject), so a report can name the old root beside the new. */
  certRootSubjects?: Record<string, string>;
  /** Largest Strict-Transport-Security max-age seen; null until the host sends one. */
  hstsMaxAge?: number | null;
  /** The Content-Security-Policy header as learned (the strictest seen). */
  csp?: string | null;
  /** A stricter policy seen since, with how often: learned once it has stayed (detect/scripts). */
  cspCandidate?: { header: string; seen: number };
  /** Per page key: inline script hashes seen, and visits since that set last grew. */
  inline?: Record<string, { hashes: string[]; stableVisits: number }>;
  /** sha256 of script URL → sha256 of its bytes, for scripts that should never change. */
  scriptBytes?: Record<string, string>;
  /** Script URLs (origin + path) that carried SRI integrity. */
  sriScripts?: string[];
}

/** Visits during which new script origins are learned instead of reported. */
export const LEARNING_VISITS = 1;
const MAX_SET = 64;

export function emptyBaseline(host: string, now: number): Baseline {
  return { host, firstSeen: now, lastSeen: now, visits: 0, seenHttps: false, scriptOrigins: [], certRoots: [], certIssuers: [], certSpki: [] };
}

export function isLearning(baseline: Baseline): boolean {
  return baseline.visits <= LEARNING_VISITS;
}

/** A host visited past its learning visits: what a look-alike visited once cannot be. */
export function hasLearnedBaseline(baseline: Baseline | undefined): boolean {
  return baseline !== undefined && !isLearning(baseline);
}

function addAll(set: readonly string[], values: Iterable<string>): string[] {
  const next = [...set];
  for (const value of values) if (value && !next.includes(value)) next.push(value);
  // Oldest entries go first: a long-lived baseline must stay small enough to load on every request.
  return next.slice(-MAX_SET);
}

export function recordVisit(baseline: Baseline, secure: boolean, now: number): Baseline {
  return { ...baseline, visits: baseline.visits + 1, lastSeen: now, seenHttps: baseline.seenHttps || secure };
}

export function learnScriptOrigins(baseline: Baseline, origins: Iterable<string>): Baseline {
  return { ...baseline, scriptOrigins: addAll(baseline.scriptOrigins, origins) };
}

export function learnCertificate(baseline: Baseline, chain: readonly CertSummary[], leafOnly = false): Baseline {
  const leaf = chain[0];
  const root = chain[chain.length - 1];
  if (!leaf || !root) return baseline;
  // A leaf shown alone says nothing about the root: learn its issuer and key only.
  if (leafOnly) return { ...baseline, certIssuers: addAll(baseline.certIssuers, [leaf.issuer]), certSpki: addAll(baseline.certSpki, [leaf.spkiSha256]) };
  const certRoots = addAll(baseline.certRoots, [root.sha256]);
  const subjects = { ...baseline.certRootSubjects, [root.sha256]: root.subject };
  return {
    ...baseline,
    certRoots,
    certIssuers: addAll(baseline.certIssuers, [leaf.issuer]),
    certSpki: addAll(baseline.certSpki, [leaf.spkiSha256]),
    certRootSpki: addAll(baseline.certRootSpki ?? [], [root.spkiSha256]),
    ...(chain.length > 1 ? { certIssuerSpki: addAll(baseline.certIssuerSpki ?? [], [chain[1]!.spkiSha256]) } : {}),
    // Bounded with the roots themselves: names of roots that fell out of the set go too.
    certRootSubjects: Object.fromEntries(certRoots.map((sha) => [sha, subjects[sha] ?? ''])),
  };
}

export function learnHsts(baseline: Baseline, maxAge: number | null): Baseline {
  if (maxAge === null || maxAge <= (baseline.hstsMaxAge ?? 0)) return baseline;
  return { ...baseline, hstsMaxAge: maxAge };
}
