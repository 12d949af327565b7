import { describe, expect, it } from 'vitest';
import { detectCertificate } from '@/lib/core/detect/cert';
import { certObservationFromSecurityInfo } from '@/lib/background/firefox/security-info';
import { derBytes } from './x509-fixtures';

// Shape as Firefox ESR returns it for a page whose chain ends in a profile-trusted private CA.
const info = {
  state: 'secure',
  protocolVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  certificates: [
    { subject: 'CN=mail.tapguard.test', issuer: 'CN=Lab Interception Root,O=Lawful Interception Lab', serialNumber: '4A:01', isBuiltInRoot: false, fingerprint: { sha256: 'AA:BB' }, subjectPublicKeyInfoDigest: { sha256: 'k1+base64=' }, validity: { start: 1, end: 2 } },
    { subject: 'CN=Lab Interception Root,O=Lawful Interception Lab', issuer: 'CN=Lab Interception Root,O=Lawful Interception Lab', isBuiltInRoot: false, fingerprint: { sha256: 'CC:DD' } },
  ],
};

describe('certObservationFromSecurityInfo', () => {
  it('keeps the chain in order with normalised fingerprints', () => {
    const cert = certObservationFromSecurityInfo({ url: 'https://mail.tapguard.test:8443/', type: 'main_frame' }, info);
    expect(cert).toMatchObject({ resourceType: 'main_frame', protocolVersion: 'TLSv1.3', state: 'secure' });
    expect(cert!.chain.map((c) => c.sha256)).toEqual(['aabb', 'ccdd']);
    expect(cert!.chain[0]).toMatchObject({ spkiSha256: 'k1+base64=', notBefore: 1, notAfter: 2, isBuiltInRoot: false });
  });
  it('returns nothing when Firefox has no certificate (e.g. an error page)', () => {
    expect(certObservationFromSecurityInfo({ url: 'https://x.test/', type: 'main_frame' }, { state: 'insecure' })).toBeUndefined();
  });

  it('keeps the certificate-error, CT and override fields Firefox reports, and nothing it did not', () => {
    const cert = certObservationFromSecurityInfo(
      { url: 'https://mail.tapguard.test/', type: 'main_frame' },
      { ...info, certificateTransparencyStatus: 'not_applicable', overridableErrorCategory: 'trust_error', isUntrusted: true, isDomainMismatch: false },
    );
    expect(cert).toMatchObject({ certificateTransparencyStatus: 'not_applicable', overridableErrorCategory: 'trust_error', isUntrusted: true });
    expect(cert).not.toHaveProperty('isDomainMismatch');
    expect(cert).not.toHaveProperty('isNotValidAtThisTime');
    expect(cert).not.toHaveProperty('errorMessage');
  });

  it('reads the signature algorithm and key size from rawDER, and does not keep the DER', () => {
    const withDer = { ...info, certificates: info.certificates.map((c, i) => ({ ...c, rawDER: derBytes(i === 0 ? 'rsa1024sha1' : 'ecp256sha256') })) };
    const cert = certObservationFromSecurityInfo({ url: 'https://mail.tapguard.test/', type: 'main_frame' }, withDer);
    expect(cert!.chain[0]).toMatchObject({ signatureAlgorithm: 'sha1WithRSAEncryption', signatureHash: 'sha1', keyAlgorithm: 'rsa', keyBits: 1024 });
    expect(cert!.chain[1]).toMatchObject({ signatureHash: 'sha256', keyAlgorithm: 'ec', keyBits: 256 });
    expect(JSON.stringify(cert)).not.toContain('rawDER');
  });

  it('leaves the algorithms out when the DER is missing or unreadable', () => {
    const broken = { ...info, certificates: info.certificates.map((c) => ({ ...c, rawDER: [1, 2, 3] })) };
    const cert = certObservationFromSecurityInfo({ url: 'https://mail.tapguard.test/', type: 'main_frame' }, broken);
    expect(cert!.chain[0]).not.toHaveProperty('signatureAlgorithm');
  });

  it('keeps a click-through, for which Firefox reports the error category but no certificates', () => {
    // As Firefox ESR 153 answered after "Accept the Risk and Continue" on a name mismatch.
    const clickedThrough = { state: 'secure', overridableErrorCategory: 'domain_mismatch', isDomainMismatch: true, certificateTransparencyStatus: 'not_applicable', certificates: [] };
    const cert = certObservationFromSecurityInfo({ url: 'https://webmail.tapguard.test/', type: 'main_frame' }, clickedThrough);
    expect(cert).toMatchObject({ overridableErrorCategory: 'domain_mismatch', isDomainMismatch: true, chain: [] });
    const findings = detectCertificate(cert!, { site: undefined, baseline: undefined, trustedRoots: [] } as never, Date.UTC(2026, 5, 1));
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'cert.error-bypassed',
        severity: 'critical',
        evidence: expect.objectContaining({ overridableErrorCategory: 'domain_mismatch', isDomainMismatch: true, chainShown: false }),
        dedupeParts: ['domain_mismatch', 'no-chain'],
      }),
    ]);
  });
});
