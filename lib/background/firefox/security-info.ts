import type { CertObservation, CertSummary } from '../../core/observations';
import { certAlgorithms } from '../../core/x509';

/** The parts of Firefox's webRequest.getSecurityInfo result that tapguard reads. */
export interface FirefoxSecurityInfo {
  state?: string;
  protocolVersion?: string;
  cipherSuite?: string;
  weaknessReasons?: string[];
  certificateTransparencyStatus?: string;
  overridableErrorCategory?: string;
  isUntrusted?: boolean;
  isDomainMismatch?: boolean;
  isNotValidAtThisTime?: boolean;
  errorMessage?: string;
  certificates?: Array<{
    subject?: string;
    issuer?: string;
    serialNumber?: string;
    isBuiltInRoot?: boolean;
    fingerprint?: { sha256?: string };
    subjectPublicKeyInfoDigest?: { sha256?: string };
    validity?: { start?: number; end?: number };
    /** Only with `{ rawDER: true }`: the certificate's DER bytes as an array of numbers. */
    rawDER?: number[];
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
  // After the user clicked through a certificate warning, Firefox reports the error category but
  // no certificates at all: that is still an observation, of the click-through.
  const overridden = typeof info.overridableErrorCategory === 'string' && info.overridableErrorCategory !== '';
  if (!info.certificates?.length && !overridden) return undefined;
  const chain: CertSummary[] = (info.certificates ?? []).map((cert) => ({
    subject: String(cert.subject ?? ''),
    issuer: String(cert.issuer ?? ''),
    serial: String(cert.serialNumber ?? ''),
    sha256: hexFingerprint(cert.fingerprint?.sha256),
    spkiSha256: String(cert.subjectPublicKeyInfoDigest?.sha256 ?? ''),
    notBefore: Number(cert.validity?.start),
    notAfter: Number(cert.validity?.end),
    isBuiltInRoot: cert.isBuiltInRoot === true,
    // The DER itself is not kept: only what the detectors judge.
    ...(Array.isArray(cert.rawDER) ? certAlgorithms(cert.rawDER) : undefined),
  }));
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const flag = (value: unknown) => (value === true ? true : undefined);
  const optional: Omit<CertObservation, 'url' | 'resourceType' | 'state' | 'chain'> = {
    protocolVersion: text(info.protocolVersion),
    cipherSuite: text(info.cipherSuite),
    weaknessReasons: Array.isArray(info.weaknessReasons) && info.weaknessReasons.length ? info.weaknessReasons.map(String) : undefined,
    certificateTransparencyStatus: text(info.certificateTransparencyStatus),
    overridableErrorCategory: text(info.overridableErrorCategory),
    isUntrusted: flag(info.isUntrusted),
    isDomainMismatch: flag(info.isDomainMismatch),
    isNotValidAtThisTime: flag(info.isNotValidAtThisTime),
    errorMessage: text(info.errorMessage),
  };
  return {
    url: request.url,
    resourceType: request.type,
    state: String(info.state ?? ''),
    // Absent fields stay absent (not `undefined`): observations are compared and stored as JSON.
    ...(Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) as typeof optional),
    chain,
  };
}
