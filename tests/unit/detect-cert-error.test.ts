import { describe, expect, it } from 'vitest';
import { classifyRequestError, detectCertError } from '@/lib/core/detect/cert-error';
import { baseline, ctx } from './fixtures';

describe('classifyRequestError', () => {
  it.each([
    ['net::ERR_CERT_AUTHORITY_INVALID', 'ERR_CERT_AUTHORITY_INVALID', 'certificate'],
    ['net::ERR_CERT_COMMON_NAME_INVALID', 'ERR_CERT_COMMON_NAME_INVALID', 'certificate'],
    ['net::ERR_CERTIFICATE_TRANSPARENCY_REQUIRED', 'ERR_CERTIFICATE_TRANSPARENCY_REQUIRED', 'certificate'],
    ['net::ERR_SSL_PINNED_KEY_NOT_IN_CERT_CHAIN', 'ERR_SSL_PINNED_KEY_NOT_IN_CERT_CHAIN', 'certificate'],
    ['net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH', 'ERR_SSL_VERSION_OR_CIPHER_MISMATCH', 'tls'],
    ['SEC_ERROR_UNKNOWN_ISSUER', 'SEC_ERROR_UNKNOWN_ISSUER', 'certificate'],
    ['MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT', 'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT', 'certificate'],
    ['SSL_ERROR_BAD_CERT_DOMAIN', 'SSL_ERROR_BAD_CERT_DOMAIN', 'certificate'],
    ['SSL_ERROR_NO_CYPHER_OVERLAP', 'SSL_ERROR_NO_CYPHER_OVERLAP', 'tls'],
    ['NS_ERROR_NET_INADEQUATE_SECURITY', 'NS_ERROR_NET_INADEQUATE_SECURITY', 'tls'],
    // What Firefox ESR really reports for an unknown issuer (seen in the lab).
    ['Peer’s Certificate issuer is not recognized.', 'SEC_ERROR_UNKNOWN_ISSUER', 'certificate'],
    ['Unable to communicate securely with peer: requested domain name does not match the server’s certificate.', 'SSL_ERROR_BAD_CERT_DOMAIN', 'certificate'],
    ['Peer using unsupported version of security protocol.', 'SSL_ERROR_UNSUPPORTED_VERSION', 'tls'],
    // The same in another language: still an NSS failure, without a code.
    ['Der Aussteller des Zertifikats des Peers wird nicht erkannt.', null, 'nss'],
  ])('%s is a certificate/TLS error', (error, code, family) => {
    expect(classifyRequestError(error)).toEqual({ code, family });
  });

  it.each(['NS_BINDING_ABORTED', 'NS_ERROR_UNKNOWN_HOST', 'NS_ERROR_CONNECTION_REFUSED', 'NS_ERROR_NET_RESET', 'net::ERR_ABORTED', 'net::ERR_NAME_NOT_RESOLVED', 'net::ERR_BLOCKED_BY_CLIENT', '', undefined])(
    '%s is not',
    (error) => {
      expect(classifyRequestError(error)).toBeUndefined();
    },
  );
});

describe('cert.error', () => {
  it('is high on a messaging host, with the code, the raw error and the baseline it contradicts', () => {
    const learned = baseline({ certRoots: ['r'.repeat(64)], certIssuers: ['CN=Tapguard Lab Root CA'], certSpki: ['k'], certRootSubjects: { ['r'.repeat(64)]: 'CN=Tapguard Lab Root CA' } });
    const findings = detectCertError(
      { url: 'https://mail.example.org/?_task=mail&_uid=42', error: 'Peer’s Certificate issuer is not recognized.', resourceType: 'main_frame' },
      ctx({ baseline: learned }),
    );
    expect(findings).toMatchObject([
      {
        rule: 'cert.error',
        severity: 'high',
        host: 'mail.example.org',
        dedupeParts: ['SEC_ERROR_UNKNOWN_ISSUER'],
        evidence: {
          errorCode: 'SEC_ERROR_UNKNOWN_ISSUER',
          family: 'certificate',
          error: 'Peer’s Certificate issuer is not recognized.',
          resourceType: 'main_frame',
          requestUrl: 'https://mail.example.org/',
          previous: { roots: [{ subject: 'CN=Tapguard Lab Root CA' }], issuers: ['CN=Tapguard Lab Root CA'] },
        },
      },
    ]);
  });

  it('ignores other failures and clear-text URLs', () => {
    expect(detectCertError({ url: 'https://mail.example.org/', error: 'NS_BINDING_ABORTED', resourceType: 'main_frame' }, ctx())).toEqual([]);
    expect(detectCertError({ url: 'http://mail.example.org/', error: 'net::ERR_CERT_DATE_INVALID', resourceType: 'main_frame' }, ctx())).toEqual([]);
  });

  it('keeps the evidence baseline null before anything was learned', () => {
    expect(detectCertError({ url: 'wss://chat.example.org/socket', error: 'net::ERR_CERT_DATE_INVALID', resourceType: 'websocket' }, ctx())[0]?.evidence.previous).toBeNull();
  });
});
