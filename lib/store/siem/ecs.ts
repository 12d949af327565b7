import { severityRank, type Incident } from '../../core/types';
import { browserParts, certificateOf, relatedUrlOf, tlsOf, urlParts } from './evidence';
import { SIEM_RULES } from './rules';

/**
 * Elastic Common Schema 8.x document for one incident. Always present: `@timestamp`,
 * `ecs.version`, `event.kind: alert`, `event.category: [network, intrusion_detection]`,
 * `event.type: [info]`, `event.severity`, `event.hash` (the chain hash), `rule.id`/`rule.name`,
 * `url.*` (the page), `observer.*` (tapguard). For certificate rules `tls.server.x509.*` and
 * `tls.server.hash.sha256`; for TLS rules `tls.version`/`tls.cipher`. prevHash, the log id and the
 * raw evidence sit under `tapguard.*` (a custom field set, as ECS allows).
 */

export const ECS_VERSION = '8.11.0';

export interface EcsProducer {
  tapguardVersion: string;
  device?: string;
}

export type EcsDocument = Record<string, unknown>;

export function toEcsDocument(incident: Incident, producer: EcsProducer): EcsDocument {
  const rule = SIEM_RULES[incident.rule];
  const url = urlParts(incident.url);
  const browser = browserParts(incident.browser);
  const related = relatedUrlOf(incident, rule.relatedUrlField);
  return {
    '@timestamp': new Date(incident.ts).toISOString(),
    ecs: { version: ECS_VERSION },
    message: incident.title,
    event: {
      kind: 'alert',
      category: ['network', 'intrusion_detection'],
      type: ['info'],
      action: incident.rule,
      module: 'tapguard',
      dataset: 'tapguard.incident',
      // ECS leaves the scale to the source: tapguard's five levels, 0 (info) to 4 (critical).
      severity: severityRank(incident.severity),
      created: new Date(incident.ts).toISOString(),
      hash: incident.hash,
      ...(incident.id !== undefined ? { sequence: incident.id } : {}),
      reason: incident.advice,
    },
    rule: { id: rule.id, name: rule.name, category: rule.category, description: incident.advice, ruleset: 'tapguard' },
    threat: { framework: 'MITRE ATT&CK', technique: { id: [rule.technique.id], name: [rule.technique.name] } },
    ...(url ? { url: { full: url.full, original: url.full, scheme: url.scheme, domain: url.domain, path: url.path, ...(url.port ? { port: url.port } : {}) } } : { url: { original: incident.url } }),
    ...(incident.host ? { destination: { domain: incident.host } } : {}),
    ...ecsTls(incident),
    observer: { product: 'tapguard', vendor: 'tapguard', type: 'browser-extension', version: producer.tapguardVersion, ...(producer.device ? { name: producer.device } : {}) },
    user_agent: { name: browser.name, ...(browser.version ? { version: browser.version } : {}) },
    ...(producer.device ? { host: { name: producer.device } } : {}),
    tapguard: {
      id: incident.id ?? null,
      prev_hash: incident.prevHash,
      hash: incident.hash,
      dedupe_key: incident.dedupeKey,
      severity: incident.severity,
      kind: incident.kind,
      ...(related ? { related_url: related } : {}),
      evidence: incident.evidence,
    },
  };
}

function ecsTls(incident: Incident): Record<string, unknown> {
  const rule = SIEM_RULES[incident.rule];
  if (rule.connection === 'none') return {};
  const cert = rule.connection === 'certificate' ? certificateOf(incident) : undefined;
  const tls = tlsOf(incident);
  if (!cert && !tls) return {};
  const [protocolName, protocolVersion] = splitProtocol(tls?.protocol ?? null);
  const x509 = cert
    ? {
        ...(cert.subject ? { subject: { distinguished_name: cert.subject } } : {}),
        ...(cert.issuer ? { issuer: { distinguished_name: cert.issuer } } : {}),
        ...(cert.serial ? { serial_number: cert.serial } : {}),
        ...(cert.notBefore ? { not_before: cert.notBefore } : {}),
        ...(cert.notAfter ? { not_after: cert.notAfter } : {}),
      }
    : undefined;
  return {
    tls: {
      ...(protocolVersion ? { version: protocolVersion, version_protocol: protocolName } : {}),
      ...(tls?.cipher ? { cipher: tls.cipher } : {}),
      ...(cert
        ? {
            server: {
              x509,
              ...(cert.sha256 ? { hash: { sha256: cert.sha256.toUpperCase() } } : {}),
              ...(cert.issuer ? { issuer: cert.issuer } : {}),
              ...(cert.subject ? { subject: cert.subject } : {}),
              ...(cert.notBefore ? { not_before: cert.notBefore } : {}),
              ...(cert.notAfter ? { not_after: cert.notAfter } : {}),
            },
          }
        : {}),
    },
  };
}

/** "TLSv1.2" / "TLS 1.2" → ["tls", "1.2"]; ECS splits the protocol from its version. */
function splitProtocol(protocol: string | null): [string, string | undefined] {
  const match = protocol?.match(/^(TLS|SSL)\s*v?\s*([\d.]+)$/i);
  return match ? [match[1]!.toLowerCase(), match[2]] : ['tls', undefined];
}
