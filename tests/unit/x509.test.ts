import { describe, expect, it } from 'vitest';
import { certAlgorithms, dnValues, organisationOf, parseDn } from '@/lib/core/x509';
import { derBytes } from './x509-fixtures';

describe('certAlgorithms (DER)', () => {
  it('reads a SHA-1 signature and a 1024-bit RSA key', () => {
    expect(certAlgorithms(derBytes('rsa1024sha1'))).toEqual({
      signatureAlgorithm: 'sha1WithRSAEncryption',
      signatureHash: 'sha1',
      keyAlgorithm: 'rsa',
      keyBits: 1024,
    });
  });

  it('reads SHA-256 over a 2048-bit RSA key', () => {
    expect(certAlgorithms(derBytes('rsa2048sha256'))).toMatchObject({ signatureHash: 'sha256', keyAlgorithm: 'rsa', keyBits: 2048 });
  });

  it('reads MD5', () => {
    expect(certAlgorithms(derBytes('rsa2048md5'))).toMatchObject({ signatureAlgorithm: 'md5WithRSAEncryption', signatureHash: 'md5' });
  });

  it('reads ECDSA with the curve size', () => {
    expect(certAlgorithms(derBytes('ecp256sha256'))).toEqual({
      signatureAlgorithm: 'ecdsa-with-SHA256',
      signatureHash: 'sha256',
      keyAlgorithm: 'ec',
      keyBits: 256,
    });
  });

  it('reads the hash inside RSASSA-PSS parameters', () => {
    expect(certAlgorithms(derBytes('rsapss'))).toMatchObject({ signatureAlgorithm: 'rsassa-pss/sha256', signatureHash: 'sha256', keyAlgorithm: 'rsa', keyBits: 2048 });
  });

  it('reads Ed25519', () => {
    expect(certAlgorithms(derBytes('ed25519'))).toEqual({ signatureAlgorithm: 'ed25519', keyAlgorithm: 'ed25519', keyBits: 256 });
  });

  it('returns undefined for anything that is not a certificate, never throws', () => {
    expect(certAlgorithms(undefined)).toBeUndefined();
    expect(certAlgorithms([])).toBeUndefined();
    expect(certAlgorithms(derBytes('rsa2048sha256').slice(0, 200))).toBeUndefined();
    expect(certAlgorithms([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...new Array(20).fill(0)])).toBeUndefined();
    expect(certAlgorithms(new Array(64).fill(0x30))).toBeUndefined();
    const bytes = derBytes('ecp256sha256');
    for (let i = 0; i < 200; i++) {
      const corrupt = [...bytes];
      const at = (i * 7919) % corrupt.length;
      corrupt[at] = corrupt[at]! ^ 0xff;
      expect(() => certAlgorithms(corrupt)).not.toThrow();
    }
  });
});

describe('distinguished names', () => {
  it('parses the form Firefox prints', () => {
    expect(parseDn('O=Tapguard Lab,CN=Tapguard Lab Root CA')).toEqual([
      ['O', 'Tapguard Lab'],
      ['CN', 'Tapguard Lab Root CA'],
    ]);
  });

  it('handles quoted values, escapes, multi-valued RDNs and UTF-8', () => {
    expect(dnValues('CN=Superfish\\, Inc.,O="Superfish, Inc.",C=US', 'O')).toEqual(['Superfish, Inc.']);
    expect(dnValues('CN=Superfish\\, Inc.,O="Superfish, Inc.",C=US', 'cn')).toEqual(['Superfish, Inc.']);
    expect(parseDn('CN=a+OU=b,O=c')).toEqual([
      ['CN', 'a'],
      ['OU', 'b'],
      ['O', 'c'],
    ]);
    expect(dnValues('CN=\\C3\\A9t\\C3\\A9,C=FR', 'CN')).toEqual(['été']);
    expect(dnValues('CN=НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ,C=KZ', 'CN')).toEqual(['НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ']);
  });

  it('treats issuers of one organisation as one CA family', () => {
    expect(organisationOf("CN=R10,O=Let's Encrypt,C=US")).toBe(organisationOf("CN=R11,O=Let's Encrypt,C=US"));
    expect(organisationOf('CN=WR2,O=Google Trust Services,C=US')).toBe('google trust services');
    expect(organisationOf('CN=Only A Name')).toBe('only a name');
  });
});
