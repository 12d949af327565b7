import { describe, expect, it } from 'vitest';
import { certObservationFromSecurityInfo } from '@/lib/firefox/security-info';

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
});
