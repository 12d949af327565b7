/**
 * Events: the findings of one page load (or one connection) that share a cause, told as one
 * story. An interceptor shows up as four certificate findings, an injection as a new script
 * origin and the CSP loosened for it; a person under stress should read one headline that says
 * what is happening and who is probably behind it, with the findings ("signs") beneath.
 *
 * Grouping is a pure function of the signs: the background uses it to store one event record per
 * cause and page load (lib/store/event-log.ts), the popup to draw the same events from the same signs.
 */
import type { InterceptorCategory } from './interceptors';
import type { Incident, Severity } from './types';
import { severityRank, worstSeverity } from './types';

export const EVENT_KIND = 'event' as const;
export const EVENT_CAUSES = ['interception', 'injection', 'downgrade', 'extension'] as const;
export type EventCause = (typeof EVENT_CAUSES)[number];
export type EventRule = `event.${EventCause}`;

/**
 * A chain record that tells one event: hashed into the log like any incident, with `kind: 'event'`
 * and the dedupe keys and ids of its findings in its evidence. The findings stay records of their
 * own, so nothing that reads findings (verdict, badge, repeat counts) counts an event twice.
 */
export type EventRecord = Omit<Incident, 'kind' | 'rule'> & { kind: typeof EVENT_KIND; rule: EventRule };

export function isEventRecord(record: { kind: string }): record is EventRecord {
  return record.kind === EVENT_KIND;
}

/** Event keys share the occurrences table with findings' dedupe keys, which start with a rule id. */
export function isEventKey(dedupeKey: string): boolean {
  return dedupeKey.startsWith('event|');
}

/** What grouping needs of a finding: a stored incident, or a finding as the tab state knows it. */
export type Sign = Pick<Incident, 'rule' | 'severity' | 'host' | 'url' | 'evidence' | 'dedupeKey'> & { id?: number; ts?: number };

/** Who or what the event is about, as far as the signs say. */
export type EventSubject =
  | { type: 'interceptor'; product: string; category: InterceptorCategory }
  | { type: 'unknown-interceptor'; strong: boolean }
  /**
   * Only message connections the browser refused without saying why (Chromium's bare
   * net::ERR_FAILED on a socket): interception is one cause, a network blip another.
   */
  | { type: 'refused-connection'; repeated: boolean }
  /**
   * Content from another origin: a script (or anything that ran), a hidden frame only, or only
   * what the page's own CSP refused.
   */
  | { type: 'origin'; origin: string; how: 'script' | 'frame' | 'blocked' }
  /** Inline code or changed bytes: the page's own code was altered. */
  | { type: 'page-code' }
  /** Only the CSP was loosened; nothing injected was seen (yet). */
  | { type: 'csp' }
  | { type: 'downgrade'; stripped: boolean }
  | { type: 'extension'; extension: string; name?: string };

export interface EventGroup<S extends Sign = Sign> {
  /** The event record's dedupe key: the same cause on a later page load folds into it. */
  key: string;
  cause: EventCause;
  host: string;
  subject: EventSubject;
  severity: Severity;
  /** Worst first. */
  signs: S[];
}

/** Certificate signs that on their own say the connection is intercepted, not merely odd. */
const STRONG_INTERCEPTION = new Set(['cert.untrusted-root', 'cert.known-interceptor', 'cert.issuer-changed', 'cert.error', 'cert.error-bypassed']);
/** Downgrade signs where the encryption of the page itself is gone. */
const STRIPPED = new Set(['tls.http-page', 'tls.https-to-http-redirect', 'tls.insecure-form', 'tls.insecure-websocket']);
const CATEGORIES: readonly string[] = ['state', 'corporate', 'antivirus', 'parental', 'adware', 'debugging'];
/** Evidence comes from pages: names and origins are cut to a length a headline can carry. */
const MAX_NAME = 120;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value.slice(0, MAX_NAME) : undefined);
const webOrigin = (value: unknown): string | undefined => {
  const origin = text(value);
  return origin && /^https?:\/\/[^\s/]+$/.test(origin) ? origin : undefined;
};

/** The group a sign starts or joins; `support` signs only join a group another sign started. */
type Anchor = { cause: EventCause; part: string } | { support: 'csp' | 'weak-tls' };

function anchorOf(sign: Sign): Anchor {
  const { rule, evidence } = sign;
  if (rule === 'tls.weak-protocol' || rule === 'tls.weak-cipher') return { support: 'weak-tls' };
  if (rule === 'script.csp-dropped') return { support: 'csp' };
  if (rule.startsWith('cert.')) return { cause: 'interception', part: '' };
  if (rule.startsWith('tls.')) return { cause: 'downgrade', part: '' };
  if (rule === 'script.by-extension') return { cause: 'extension', part: text(evidence.extension) ?? 'unknown' };
  const origin =
    rule === 'script.new-origin' ? evidence.scriptOrigin : rule === 'script.hidden-iframe' ? evidence.frameOrigin : rule === 'script.csp-violation' ? evidence.blocked : undefined;
  return { cause: 'injection', part: webOrigin(origin) ?? 'code' };
}

/** Among signs of one severity, the ones that prove most come first. */
const PROOF_ORDER: readonly string[] = ['cert.untrusted-root', 'cert.known-interceptor', 'cert.error-bypassed', 'cert.error', 'cert.issuer-changed'];
const proofRank = (s: Sign) => {
  const index = PROOF_ORDER.indexOf(s.rule);
  return index === -1 ? PROOF_ORDER.length : index;
};
const bySeverity = (a: Sign, b: Sign) =>
  severityRank(b.severity) - severityRank(a.severity) || proofRank(a) - proofRank(b) || (b.ts ?? 0) - (a.ts ?? 0);

/**
 * Groups the signs of one page load into events. Signs with different causes stay apart (an
 * expired certificate and an injected script are two events; so are scripts from two origins);
 * a loosened CSP joins the injection it made possible on the same host, weak TLS joins the
 * interception of its connection, and either stands alone when there is nothing to join (a CSP
 * stripped with HSTS joins that downgrade: one response lost both).
 */
export function groupIntoEvents<S extends Sign>(signs: readonly S[]): EventGroup<S>[] {
  const drafts = new Map<string, { cause: EventCause; host: string; part: string; signs: S[] }>();
  const supporting: Array<{ sign: S; support: 'csp' | 'weak-tls' }> = [];
  const join = (cause: EventCause, host: string, part: string, sign: S) => {
    const id = `${cause}|${host}|${part}`;
    const draft = drafts.get(id) ?? { cause, host, part, signs: [] };
    draft.signs.push(sign);
    drafts.set(id, draft);
  };
  for (const sign of signs) {
    const anchor = anchorOf(sign);
    if ('support' in anchor) supporting.push({ sign, support: anchor.support });
    else join(anchor.cause, sign.host, anchor.part, sign);
  }
  for (const { sign, support } of supporting) {
    if (support === 'weak-tls') {
      const interception = drafts.get(`interception|${sign.host}|`);
      if (interception) interception.signs.push(sign);
      else join('downgrade', sign.host, '', sign);
      continue;
    }
    // No injection to join: headers stripped together (HSTS and CSP) are one rewritten response.
    const target = cspTarget([...drafts.values()], sign) ?? strippedHeaders(drafts.get(`downgrade|${sign.host}|`));
    if (target) target.signs.push(sign);
    else join('injection', sign.host, 'csp', sign);
  }
  return [...drafts.values()]
    .map((draft) => finish(draft.cause, draft.host, draft.part, draft.signs.sort(bySeverity)))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || bySeverity(a.signs[0]!, b.signs[0]!));
}

const strippedHeaders = <D extends { signs: Sign[] }>(downgrade: D | undefined): D | undefined =>
  downgrade?.signs.some((s) => s.rule === 'tls.hsts-dropped') ? downgrade : undefined;

/** The injection a loosened CSP belongs to: the one whose origin the CSP now allows, else the worst. */
function cspTarget<S extends Sign>(drafts: Array<{ cause: EventCause; host: string; part: string; signs: S[] }>, csp: Sign) {
  const candidates = drafts.filter((d) => d.cause === 'injection' && d.host === csp.host && d.part !== 'csp');
  const reasons = Array.isArray(csp.evidence.reasons) ? csp.evidence.reasons.filter((r): r is string => typeof r === 'string') : [];
  const named = candidates.find((d) => reasons.some((reason) => reason.includes(d.part)));
  return named ?? candidates.sort((a, b) => bySeverity(a.signs.sort(bySeverity)[0]!, b.signs.sort(bySeverity)[0]!))[0];
}

function finish<S extends Sign>(cause: EventCause, host: string, part: string, signs: S[]): EventGroup<S> {
  const severity = worstSeverity(signs.map((s) => s.severity)) ?? 'info';
  const subject = subjectOf(cause, part, signs);
  return { key: eventKey(cause, host, subject, signs), cause, host, subject, severity, signs };
}

function subjectOf(cause: EventCause, part: string, signs: readonly Sign[]): EventSubject {
  switch (cause) {
    case 'interception': {
      const named = signs.find((s) => s.rule === 'cert.known-interceptor' && text(s.evidence.product));
      const category = String(named?.evidence.category ?? '');
      if (named && CATEGORIES.includes(category)) return { type: 'interceptor', product: text(named.evidence.product)!, category: category as InterceptorCategory };
      if (signs.every((s) => s.evidence.family === 'connection-refused'))
        return { type: 'refused-connection', repeated: signs.some((s) => severityRank(s.severity) >= severityRank('medium')) };
      return { type: 'unknown-interceptor', strong: signs.some((s) => STRONG_INTERCEPTION.has(s.rule)) };
    }
    case 'injection':
      if (part === 'csp') return { type: 'csp' };
      if (part === 'code') return { type: 'page-code' };
      return { type: 'origin', origin: part, how: injectionHow(signs) };
    case 'downgrade':
      return { type: 'downgrade', stripped: signs.some((s) => STRIPPED.has(s.rule)) };
    case 'extension': {
      const name = signs.map((s) => text(s.evidence.extensionName)).find(Boolean);
      return { type: 'extension', extension: part, ...(name ? { name } : {}) };
    }
  }
}

function injectionHow(signs: readonly Sign[]): 'script' | 'frame' | 'blocked' {
  const rules = new Set(signs.map((s) => s.rule));
  if (rules.has('script.new-origin')) return 'script';
  return rules.has('script.hidden-iframe') ? 'frame' : 'blocked';
}

/**
 * The event's dedupe key. An interception is keyed by who does it (the product, else the root it
 * chains to), so the same interceptor on a later load folds into the event and another one does not.
 */
function eventKey(cause: EventCause, host: string, subject: EventSubject, signs: readonly Sign[]): string {
  let part: string;
  switch (subject.type) {
    case 'interceptor':
      part = `product:${subject.product}`;
      break;
    case 'unknown-interceptor': {
      const root = signs.map((s) => text(s.evidence.rootSha256)).find(Boolean);
      part = root ? `root:${root}` : 'unknown';
      break;
    }
    case 'origin':
      part = subject.origin;
      break;
    case 'extension':
      part = subject.extension;
      break;
    default:
      part = subject.type;
  }
  return `event|${cause}|${host}|${part}`; // isEventKey relies on the prefix
}
