import type { RuleId } from './rules';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const KINDS = ['tls-downgrade', 'cert-anomaly', 'script-injection'] as const;
export type Kind = (typeof KINDS)[number];

export type BrowserFamily = 'chrome' | 'firefox';

/** JSON-safe evidence: what a later reader needs to understand the incident, never page content. */
export type Evidence = Record<string, EvidenceValue>;
export type EvidenceValue =
  | string
  | number
  | boolean
  | null
  | EvidenceValue[]
  | { [key: string]: EvidenceValue };

/** What a detector reports: a pure value, before dedupe, wording and chaining. */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  host: string;
  url: string;
  evidence: Evidence;
  /** Rule-specific parts that make two findings "the same incident" (e.g. the script origin). */
  dedupeParts: string[];
}

/** One row of the append-only, hash-chained incident log (DESIGN.md "Data contract"). */
export interface Incident {
  id?: number;
  ts: number;
  kind: Kind;
  rule: RuleId;
  severity: Severity;
  host: string;
  url: string;
  browser: string;
  title: string;
  advice: string;
  evidence: Evidence;
  dedupeKey: string;
  prevHash: string;
  hash: string;
}

// The rule ids live beside their texts (lib/core/rules.ts); re-exported here for the modules that judge.
export { RULE_IDS, type RuleId } from './rules';

export function kindOfRule(rule: RuleId): Kind {
  if (rule.startsWith('tls.')) return 'tls-downgrade';
  if (rule.startsWith('cert.')) return 'cert-anomaly';
  return 'script-injection';
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function worstSeverity(severities: Iterable<Severity>): Severity | undefined {
  let worst: Severity | undefined;
  for (const s of severities) if (worst === undefined || severityRank(s) > severityRank(worst)) worst = s;
  return worst;
}

/** One certificate judged on a tab, as lib/background/chrome/deep-inspection.ts reports it. */
export interface JudgedCert {
  host: string;
  what: string;
  source: string;
}

/** Chrome deep inspection as the popup sees it for one tab. */
export type DeepState = { state: string; reason?: string; judged?: JudgedCert[] } | undefined;
