import { bytesToHex, sha256 } from '../../core/sha256';
import type { CertObservation, CertSource, CertSummary } from '../../core/observations';
import { parseCertificate } from '../../core/x509';

/** The parts of the DevTools protocol's Network.SecurityDetails that tapguard reads. */
export interface CdpSecurityDetails {
  protocol?: string;
  keyExchange?: string;
  keyExchangeGroup?: string;
  cipher?: string;
  mac?: string;
  subjectName?: string;
  issuer?: string;
  validFrom?: number;
  validTo?: number;
  certificateTransparencyCompliance?: 'unknown' | 'not-compliant' | 'compliant';
  signedCertificateTimestampList?: unknown[];
}

const CT_STATUS: Record<string, string> = {
  compliant: 'policy_compliant',
  'not-compliant': 'policy_not_enough_scts',
  unknown: 'unknown',
};

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** One certificate of a `Network.getCertificate` chain (base64 DER) in the shape Firefox reports. */
export function certSummaryFromDer(derBase64: string): CertSummary | undefined {
  let der: Uint8Array;
  try {
    der = decodeBase64(derBase64);
  } catch {
    return undefined;
  }
  return certSummaryFromBytes(der);
}

/** One DER certificate in the shape Firefox reports, root trust unknown. */
export function certSummaryFromBytes(der: Uint8Array): CertSummary | undefined {
  const parsed = parseCertificate(der);
  if (!parsed) return undefined;
  return {
    subject: parsed.subject,
    issuer: parsed.issuer,
    serial: parsed.serial,
    sha256: bytesToHex(sha256(der)),
    // Firefox reports the SPKI digest in base64; the same form keeps baselines comparable.
    spkiSha256: base64(sha256(parsed.spki)),
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    // Chrome does not tell extensions whether a root is built in (rootTrustKnown: false): never
    // assume it is, or a service profile's CA names would vouch for any private root copying them.
    isBuiltInRoot: false,
    signatureAlgorithm: parsed.signatureAlgorithm,
    ...(parsed.signatureHash ? { signatureHash: parsed.signatureHash } : {}),
    keyAlgorithm: parsed.keyAlgorithm,
    ...(parsed.keyBits ? { keyBits: parsed.keyBits } : {}),
  };
}

/**
 * Chrome deep inspection: a response's securityDetails plus its chain from Network.getCertificate
 * become the same observation Firefox yields, except that whether the root is built in is unknown
 * (rootTrustKnown: false), so no detector may judge that.
 */
export function certObservationFromCdp(
  request: { url: string; resourceType: string },
  details: CdpSecurityDetails,
  chainBase64: readonly unknown[],
  source: CertSource = 'debugger',
): CertObservation | undefined {
  // What the page's renderer cannot forge, but validate anyway: strings, and every one a certificate.
  const chain = chainBase64.map((der) => (typeof der === 'string' ? certSummaryFromDer(der) : undefined));
  if (!chain.length || chain.some((c) => c === undefined)) return undefined;
  return {
    url: request.url,
    resourceType: request.resourceType,
    state: 'secure',
    rootTrustKnown: false,
    source,
    ...(details.protocol ? { protocolVersion: details.protocol.replace(/^TLS /, 'TLSv') } : {}),
    ...(details.cipher ? { cipherSuite: cdpCipherName(details) } : {}),
    ...(details.certificateTransparencyCompliance ? { certificateTransparencyStatus: CT_STATUS[details.certificateTransparencyCompliance] ?? 'unknown' } : {}),
    chain: chain as CertSummary[],
  };
}

/**
 * DevTools names ciphers the BoringSSL way ("AES_128_GCM", key exchange "ECDHE_RSA"); the weak-
 * cipher rule reads IANA names, so rebuild one ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").
 */
export function cdpCipherName(details: CdpSecurityDetails): string {
  const cipher = details.cipher ?? '';
  if (!details.keyExchange) return cipher.startsWith('TLS_') ? cipher : `TLS_${cipher}`;
  const mac = details.mac ? `_${details.mac.replace(/^HMAC-/, '').replace('-', '')}` : '';
  return `TLS_${details.keyExchange}_WITH_${cipher}${mac}`;
}

