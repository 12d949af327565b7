import type { CertObservation, CertSummary } from '../observations';

/** The parts of Firefox's webRequest.getSecurityInfo result that tapguard reads. */
export interface FirefoxSecurityInfo {
  state?: string;
  protocolVersion?: string;
  cipherSuite?: string;
  weaknessReasons?: string[];
  certificates?: Array<{
    subject?: string;
    issuer?: string;
    serialNumber?: string;
    isBuiltInRoot?: boolean;
    fingerprint?: { sha256?: string };
    subjectPublicKeyInfoDigest?: { sha256?: string };
    validity?: { start?: number; end?: number };
  }>;
}

/** Firefox reports "AB:CD:…"; tapguard stores lower-case hex without separators everywhere. */
export function hexFingerprint(text: string | undefined): string {
  return (text ?? '').replace(/:/g, '').toLowerCase();
}

export function certObservationFromSecurityInfo(
  request: { url: string; type: string },
  info: FirefoxSecurityInfo,
): CertObservation | undefined {
  if (!info.certificates?.length) return undefined;
  const chain: CertSummary[] = info.certificates.map((cert) => ({
    subject: String(cert.subject ?? ''),
    issuer: String(cert.issuer ?? ''),
    serial: String(cert.serialNumber ?? ''),
    sha256: hexFingerprint(cert.fingerprint?.sha256),
    spkiSha256: String(cert.subjectPublicKeyInfoDigest?.sha256 ?? ''),
    notBefore: Number(cert.validity?.start),
    notAfter: Number(cert.validity?.end),
    isBuiltInRoot: cert.isBuiltInRoot === true,
  }));
  return {
    url: request.url,
    resourceType: request.type,
    state: String(info.state ?? ''),
    ...(info.protocolVersion ? { protocolVersion: info.protocolVersion } : {}),
    ...(info.cipherSuite ? { cipherSuite: info.cipherSuite } : {}),
    ...(Array.isArray(info.weaknessReasons) && info.weaknessReasons.length ? { weaknessReasons: info.weaknessReasons.map(String) } : {}),
    chain,
  };
}
