import { RULE_TEXT } from '../../core/rules';
import { kindOfRule, RULE_IDS, type RuleId } from '../../core/types';

/**
 * What a SIEM needs to know about each rule beyond its id: the MITRE ATT&CK technique it is
 * evidence of, and which part of the evidence describes the connection. A Record over RuleId, so
 * a new rule does not compile until it is mapped here.
 */
export interface SiemRule {
  id: RuleId;
  /** The rule's title without the host: "{host}" reads as "the site". */
  name: string;
  /** tapguard's kind, used as the category in both formats. */
  category: string;
  technique: { id: string; name: string };
  /** Where the evidence holds a certificate (cert family) or only the TLS parameters. */
  connection: 'certificate' | 'tls' | 'none';
  /** The evidence field, if any, that holds the URL of the thing the rule is about. */
  relatedUrlField?: string;
}

const AITM = { id: 'T1557', name: 'Adversary-in-the-Middle' };
const ROOT_CERT = { id: 'T1553.004', name: 'Install Root Certificate' };
const BROWSER_HIJACK = { id: 'T1185', name: 'Browser Session Hijacking' };
const BROWSER_EXTENSIONS = { id: 'T1176', name: 'Browser Extensions' };

type Mapping = Omit<SiemRule, 'id' | 'name' | 'category'>;

const MAPPING: Record<RuleId, Mapping> = {
  'tls.http-page': { technique: AITM, connection: 'none' },
  'tls.https-to-http-redirect': { technique: AITM, connection: 'none' },
  'tls.insecure-form': { technique: AITM, connection: 'none', relatedUrlField: 'action' },
  'tls.insecure-websocket': { technique: AITM, connection: 'none', relatedUrlField: 'socketUrl' },
  'tls.mixed-content': { technique: AITM, connection: 'none', relatedUrlField: 'resourceUrl' },
  'tls.weak-protocol': { technique: AITM, connection: 'tls' },
  'tls.weak-cipher': { technique: AITM, connection: 'tls' },
  'tls.hsts-dropped': { technique: AITM, connection: 'none' },
  'cert.untrusted-root': { technique: ROOT_CERT, connection: 'certificate' },
  'cert.issuer-changed': { technique: AITM, connection: 'certificate' },
  'cert.key-changed': { technique: AITM, connection: 'certificate' },
  'cert.known-interceptor': { technique: ROOT_CERT, connection: 'certificate' },
  'cert.error': { technique: AITM, connection: 'none', relatedUrlField: 'requestUrl' },
  'cert.error-bypassed': { technique: AITM, connection: 'none' },
  'cert.expired': { technique: AITM, connection: 'certificate' },
  'cert.weak-signature': { technique: AITM, connection: 'certificate' },
  'cert.ct-missing': { technique: AITM, connection: 'certificate' },
  'script.new-origin': { technique: BROWSER_HIJACK, connection: 'none', relatedUrlField: 'scriptUrl' },
  'script.new-inline': { technique: BROWSER_HIJACK, connection: 'none' },
  'script.content-changed': { technique: BROWSER_HIJACK, connection: 'none', relatedUrlField: 'scriptUrl' },
  'script.csp-dropped': { technique: BROWSER_HIJACK, connection: 'none' },
  'script.csp-violation': { technique: BROWSER_HIJACK, connection: 'none' },
  'script.hidden-iframe': { technique: BROWSER_HIJACK, connection: 'none', relatedUrlField: 'frameUrl' },
  'script.by-extension': { technique: BROWSER_EXTENSIONS, connection: 'none' },
};

export const SIEM_RULES: Record<RuleId, SiemRule> = Object.fromEntries(
  RULE_IDS.map((id) => [id, { id, name: RULE_TEXT[id].title.replaceAll('{host}', 'the site'), category: kindOfRule(id), ...MAPPING[id] }]),
) as Record<RuleId, SiemRule>;

export function isKnownRule(rule: unknown): rule is RuleId {
  return typeof rule === 'string' && Object.hasOwn(SIEM_RULES, rule);
}
