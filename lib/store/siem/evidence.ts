import type { ChainRecord } from '../log';
import type { Incident } from '../../core/types';
import { isKnownRule } from './rules';

/**
 * The parts of a stored record that both SIEM formats read, taken defensively: records come from
 * IndexedDB, written by this or an older version, and an export must never throw on one of them.
 */

/** An incident the SIEM formats can map: any other chain record (log markers, kinds a later
 * version adds) is left out of the OCSF and ECS files and of the collector, never guessed at. */
export function isMappableIncident(record: ChainRecord): record is Incident {
  return record.kind !== 'meta' && isKnownRule(record.rule) && typeof record.hash === 'string' && typeof record.prevHash === 'string';
}

export interface CertificateFacts {
  subject: string | null;
  issuer: string | null;
  serial: string | null;
  notBefore: string | null;
  notAfter: string | null;
  sha256: string | null;
  rootSubject: string | null;
  rootSha256: string | null;
}

export interface TlsFacts {
  protocol: string | null;
  cipher: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

export function certificateOf(incident: Incident): CertificateFacts | undefined {
  const e = incident.evidence ?? {};
  const facts: CertificateFacts = {
    subject: text(e.subject),
    issuer: text(e.issuer),
    serial: text(e.serial),
    notBefore: text(e.validFrom),
    notAfter: text(e.validUntil),
    sha256: text(e.leafSha256),
    rootSubject: text(e.root),
    rootSha256: text(e.rootSha256),
  };
  return facts.subject || facts.issuer || facts.sha256 ? facts : undefined;
}

export function tlsOf(incident: Incident): TlsFacts | undefined {
  const e = incident.evidence ?? {};
  const facts = { protocol: text(e.protocol), cipher: text(e.cipher) };
  return facts.protocol || facts.cipher ? facts : undefined;
}

/** A URL the evidence names (a script, socket, frame, form target), if it parses. */
export function relatedUrlOf(incident: Incident, field: string | undefined): string | undefined {
  const value = field ? incident.evidence?.[field] : undefined;
  return typeof value === 'string' && URL.canParse(value) ? value : undefined;
}

export interface UrlParts {
  full: string;
  scheme: string;
  domain: string;
  port?: number;
  path: string;
}

export function urlParts(url: string): UrlParts | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  return {
    full: url,
    scheme: u.protocol.replace(/:$/, ''),
    domain: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: u.pathname,
  };
}

/** "Firefox/140.0" → name and version. */
export function browserParts(browser: string): { name: string; version?: string } {
  const [name, version] = browser.split('/', 2);
  return { name: name || browser, ...(version ? { version } : {}) };
}
