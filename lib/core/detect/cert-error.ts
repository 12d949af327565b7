import type { Finding } from '../types';
import { hostOf, sanitiseUrl } from '../url';
import type { DetectContext } from './context';
import { baselineEvidence } from './cert';

/** A request to a messaging host that failed, as webRequest.onErrorOccurred reports it. */
export interface RequestErrorObservation {
  url: string;
  /** The browser's error string. */
  error: string;
  resourceType: string;
}

export interface CertErrorClass {
  /** Symbolic error code when known (ERR_CERT_AUTHORITY_INVALID, SEC_ERROR_UNKNOWN_ISSUER…). */
  code: string | null;
  /** certificate: the certificate was refused; tls: the handshake failed; nss: Firefox, not identified. */
  family: 'certificate' | 'tls' | 'nss';
}

/**
 * Firefox does not give webRequest.onErrorOccurred the NSS error code of a failed handshake but
 * its message in the browser's language (security/manager/locales: nsserrors.properties). The
 * certificate errors an interceptor causes are recognised here in English; in another language
 * the message is still recognised as an NSS failure (family "nss"), only without its code.
 */
const FIREFOX_MESSAGES: Record<string, string> = {
  "Peer's Certificate issuer is not recognized.": 'SEC_ERROR_UNKNOWN_ISSUER',
  'The certificate is not trusted because it is self-signed.': 'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT',
  "Unable to communicate securely with peer: requested domain name does not match the server's certificate.": 'SSL_ERROR_BAD_CERT_DOMAIN',
  "Peer's Certificate has expired.": 'SEC_ERROR_EXPIRED_CERTIFICATE',
  'The server presented a certificate that is not yet valid.': 'MOZILLA_PKIX_ERROR_NOT_YET_VALID_CERTIFICATE',
  "Peer's Certificate has been revoked.": 'SEC_ERROR_REVOKED_CERTIFICATE',
  "Peer's certificate issuer has been marked as not trusted by the user.": 'SEC_ERROR_UNTRUSTED_ISSUER',
  "Peer's certificate has been marked as not trusted by the user.": 'SEC_ERROR_UNTRUSTED_CERT',
  "Peer's certificate has an invalid signature.": 'SEC_ERROR_BAD_SIGNATURE',
  "The certificate issuer's certificate has expired. Check your system date and time.": 'SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE',
  'Issuer certificate is invalid.': 'SEC_ERROR_CA_CERT_INVALID',
  'Certificate key usage inadequate for attempted operation.': 'SEC_ERROR_INADEQUATE_KEY_USAGE',
  'The certificate was signed using a signature algorithm that is disabled because it is not secure.': 'SEC_ERROR_CERT_SIGNATURE_ALGORITHM_DISABLED',
  'The server uses key pinning (HPKP) but no trusted certificate chain could be constructed that matches the pinset. Key pinning violations cannot be overridden.':
    'MOZILLA_PKIX_ERROR_KEY_PINNING_FAILURE',
  'The server uses a certificate with a basic constraints extension identifying it as a certificate authority. For a properly-issued certificate, this should not be the case.':
    'MOZILLA_PKIX_ERROR_CA_CERT_USED_AS_END_ENTITY',
  'The server presented a certificate with a key size that is too small to establish a secure connection.': 'MOZILLA_PKIX_ERROR_INADEQUATE_KEY_SIZE',
  'The server presented insufficient certificate transparency information. Its certificate may not have been publicly disclosed, and it may have been misissued.':
    'MOZILLA_PKIX_ERROR_INSUFFICIENT_CERTIFICATE_TRANSPARENCY',
  'The certificate authority that issued the certificate was distrusted before the certificate was issued.': 'MOZILLA_PKIX_ERROR_ISSUER_NO_LONGER_TRUSTED',
  'Cannot communicate securely with peer: no common encryption algorithm(s).': 'SSL_ERROR_NO_CYPHER_OVERLAP',
  'Peer using unsupported version of security protocol.': 'SSL_ERROR_UNSUPPORTED_VERSION',
  'Peer reports incompatible or unsupported protocol version.': 'SSL_ERROR_PROTOCOL_VERSION_ALERT',
};

const normalise = (text: string) => text.trim().replace(/[\u2018\u2019]/g, "'");

function familyOfCode(code: string): CertErrorClass['family'] {
  return /^(SEC_ERROR_|MOZILLA_PKIX_ERROR_|SSL_ERROR_BAD_CERT)/.test(code) ? 'certificate' : 'tls';
}

/**
 * Whether a webRequest error string is a certificate or TLS failure, in either browser. Cheap
 * enough for every failed request: the background calls it before anything else.
 * - Chrome: `net::ERR_CERT_*`, `net::ERR_CERTIFICATE_TRANSPARENCY_REQUIRED`, `net::ERR_SSL_*`.
 * - Firefox: NSS codes when given (`SEC_ERROR_*`, `SSL_ERROR_*`, `MOZILLA_PKIX_ERROR_*`),
 *   `NS_ERROR_NET_INADEQUATE_SECURITY`, or an NSS message (a sentence: every other Firefox error
 *   is an `NS_*` name such as NS_BINDING_ABORTED, which is never a certificate problem).
 */
export function classifyRequestError(error: string | undefined): CertErrorClass | undefined {
  if (!error) return undefined;
  const text = normalise(error);
  const chrome = /^net::(ERR_[A-Z0-9_]+)$/.exec(text);
  if (chrome) {
    const code = chrome[1]!;
    if (/^ERR_CERT_|^ERR_CERTIFICATE_|^ERR_SSL_PINNED_KEY/.test(code)) return { code, family: 'certificate' };
    if (/^ERR_SSL_|^ERR_BAD_SSL_/.test(code)) return { code, family: 'tls' };
    return undefined;
  }
  const nssCode = /^(SEC_ERROR_|SSL_ERROR_|MOZILLA_PKIX_ERROR_)[A-Z0-9_]+/.exec(text)?.[0];
  if (nssCode) return { code: nssCode, family: familyOfCode(nssCode) };
  if (text === 'NS_ERROR_NET_INADEQUATE_SECURITY') return { code: text, family: 'tls' };
  if (/^NS_[A-Z0-9_]+/.test(text) || text.startsWith('net::')) return undefined;
  const known = FIREFOX_MESSAGES[text];
  if (known) return { code: known, family: familyOfCode(known) };
  // A localised NSS message: a sentence, not an identifier.
  return /\s/.test(text) ? { code: null, family: 'nss' } : undefined;
}

/**
 * cert.error: a request to a messaging host failed on its certificate or TLS handshake. The
 * browser refused the connection, so the user is safe as long as they do not click through; the
 * finding records that someone presented a bad certificate, next to the chain the host normally uses.
 */
export function detectCertError(observation: RequestErrorObservation, ctx: DetectContext): Finding[] {
  if (!/^(https|wss):/.test(observation.url)) return [];
  const kind = classifyRequestError(observation.error);
  if (!kind) return [];
  const error = observation.error.slice(0, 300);
  return [
    {
      rule: 'cert.error',
      severity: 'high',
      host: hostOf(observation.url),
      url: observation.url,
      evidence: {
        error,
        errorCode: kind.code,
        family: kind.family,
        resourceType: observation.resourceType,
        requestUrl: sanitiseUrl(observation.url),
        previous: baselineEvidence(ctx.baseline),
      },
      dedupeParts: [kind.code ?? error.slice(0, 100)],
    },
  ];
}
