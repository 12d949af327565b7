import type { Incident, Severity } from '../../core/types';
import { browserParts, certificateOf, relatedUrlOf, tlsOf, urlParts, type CertificateFacts } from './evidence';
import { SIEM_RULES } from './rules';

/**
 * OCSF Detection Finding (class 2004, category 2 "Findings", activity 1 "Create"), schema 1.3.0.
 * Required by the schema and always present: activity_id, category_uid, class_uid, type_uid,
 * severity_id, time, metadata.product and metadata.version, finding_info.uid; analytic.type_id;
 * each certificate's issuer and serial_number, each tls object's version.
 *
 * The chain hash is `finding_info.uid` (unique and stable: the same incident exported twice is
 * the same finding) and, with prevHash and the log id, in `unmapped.tapguard`, so a SIEM copy can
 * be checked against the JSONL evidence file line by line.
 */

export const OCSF_VERSION = '1.3.0';
const DETECTION_FINDING = 2004;
const FINDINGS_CATEGORY = 2;
const CREATE = 1;
const RULE_ANALYTIC = 1;
const SHA256_ALGORITHM = 3;

export const OCSF_SEVERITY: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: 'Informational' },
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};

export interface OcsfProducer {
  tapguardVersion: string;
  /** Optional label of the device, from the collector policy. */
  device?: string;
}

export type OcsfFinding = Record<string, unknown>;

/** The same object for the export file and the collector's `ocsf-json` format. */
export function toOcsfFinding(incident: Incident, producer: OcsfProducer): OcsfFinding {
  const rule = SIEM_RULES[incident.rule];
  const severity = OCSF_SEVERITY[incident.severity] ?? { id: 0, name: 'Unknown' };
  const browser = browserParts(incident.browser);
  return {
    activity_id: CREATE,
    activity_name: 'Create',
    category_uid: FINDINGS_CATEGORY,
    category_name: 'Findings',
    class_uid: DETECTION_FINDING,
    class_name: 'Detection Finding',
    type_uid: DETECTION_FINDING * 100 + CREATE,
    type_name: 'Detection Finding: Create',
    severity_id: severity.id,
    severity: severity.name,
    time: incident.ts,
    status_id: 1,
    status: 'New',
    is_alert: incident.severity !== 'info',
    message: incident.title,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'tapguard', vendor_name: 'tapguard', version: producer.tapguardVersion },
      log_name: 'tapguard incident log',
      ...(incident.id !== undefined ? { sequence: incident.id } : {}),
    },
    finding_info: {
      uid: incident.hash,
      title: incident.title,
      desc: incident.advice,
      types: [rule.category],
      created_time: incident.ts,
      analytic: { type_id: RULE_ANALYTIC, type: 'Rule', uid: rule.id, name: rule.name, category: rule.category },
      attacks: [{ technique: { uid: rule.technique.id, name: rule.technique.name } }],
    },
    ...(producer.device ? { device: { name: producer.device, type_id: 99, type: 'Browser' } } : {}),
    evidences: ocsfEvidences(incident),
    unmapped: {
      tapguard: { id: incident.id ?? null, hash: incident.hash, prevHash: incident.prevHash, dedupeKey: incident.dedupeKey, host: incident.host, browser: browser.name, browserVersion: browser.version ?? null, evidence: incident.evidence },
    },
  };
}

function ocsfUrl(url: string): Record<string, unknown> {
  const parts = urlParts(url);
  if (!parts) return { url_string: url };
  return { url_string: parts.full, scheme: parts.scheme, hostname: parts.domain, path: parts.path, ...(parts.port ? { port: parts.port } : {}) };
}

function ocsfCertificate(cert: CertificateFacts): Record<string, unknown> {
  const created = epochMs(cert.notBefore);
  const expires = epochMs(cert.notAfter);
  return {
    // Required by the schema; a chain tapguard read always names both, an older record may not.
    issuer: cert.issuer ?? 'unknown',
    serial_number: cert.serial ?? 'unknown',
    ...(cert.subject ? { subject: cert.subject } : {}),
    ...(created ? { created_time: created } : {}),
    ...(expires ? { expiration_time: expires } : {}),
    ...(cert.sha256 ? { fingerprints: [{ algorithm_id: SHA256_ALGORITHM, algorithm: 'SHA-256', value: cert.sha256 }] } : {}),
  };
}

function epochMs(iso: string | null): number | undefined {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The page's URL, with the connection's TLS facts when the rule has them, then the URL the rule is about. */
function ocsfEvidences(incident: Incident): Array<Record<string, unknown>> {
  const rule = SIEM_RULES[incident.rule];
  const main: Record<string, unknown> = { url: ocsfUrl(incident.url) };
  const cert = rule.connection === 'certificate' ? certificateOf(incident) : undefined;
  const tls = rule.connection !== 'none' ? tlsOf(incident) : undefined;
  if (cert || tls) {
    main.tls = {
      // Required by the schema; Chrome without deep inspection does not tell the protocol.
      version: tls?.protocol ?? 'unknown',
      ...(tls?.cipher ? { cipher: tls.cipher } : {}),
      ...(cert ? { certificate: ocsfCertificate(cert) } : {}),
    };
  }
  const related = relatedUrlOf(incident, rule.relatedUrlField);
  return related ? [main, { url: ocsfUrl(related) }] : [main];
}
