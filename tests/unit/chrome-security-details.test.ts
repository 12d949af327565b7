// @vitest-environment node
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabCerts, type LabCerts } from '../../lab/certs';
import { cdpCipherName, certObservationFromCdp, certSummaryFromDer } from '@/lib/background/chrome/security-details';
import { detectCertificate } from '@/lib/core/detect/cert';
import { emptyBaseline, learnCertificate } from '@/lib/core/baseline';

let dir: string;
let certs: LabCerts;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tapguard-der-'));
  certs = generateLabCerts(dir, ['mail.tapguard.test']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base64Der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

describe('certSummaryFromDer (real certificates made by openssl)', () => {
  it('reads names, fingerprint, key digest and validity as node:crypto does', () => {
    const x509 = new X509Certificate(certs.interceptLeaf.certPem);
    const summary = certSummaryFromDer(base64Der(certs.interceptLeaf.certPem))!;
    expect(summary.subject).toBe('CN=mail.tapguard.test');
    // RFC 4514 order: the last RDN of the DER sequence first (openssl was given /CN=…/O=…).
    expect(summary.issuer).toBe('O=Lawful Interception Lab,CN=Lab Interception Root');
    expect(summary.sha256).toBe(x509.fingerprint256.replace(/:/g, '').toLowerCase());
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
    expect(summary.spkiSha256).toBe(createHash('sha256').update(spki).digest('base64'));
    expect(summary.notBefore).toBe(Date.parse(x509.validFrom));
    expect(summary.notAfter).toBe(Date.parse(x509.validTo));
    expect(summary.serial).toBe(x509.serialNumber.toLowerCase());
    expect(summary).toMatchObject({ keyAlgorithm: 'ec', keyBits: 256, signatureHash: 'sha256' });
  });
  it('returns nothing for garbage', () => {
    expect(certSummaryFromDer('AAAA')).toBeUndefined();
    expect(certSummaryFromDer('%%%')).toBeUndefined();
  });
});

describe('Chrome deep inspection observations', () => {
  const details = { protocol: 'TLS 1.3', keyExchange: '', cipher: 'AES_128_GCM', certificateTransparencyCompliance: 'unknown' as const };
  const observe = (leaf: string, ca: string) =>
    certObservationFromCdp({ url: 'https://mail.tapguard.test/', resourceType: 'script' }, details, [base64Der(leaf), base64Der(ca)])!;

  it('reports the interception CA as an issuer change, and never as an untrusted root', () => {
    const clean = observe(certs.leafA.certPem, certs.ca.certPem);
    const site = { host: 'mail.tapguard.test', name: 'lab', source: 'user' as const };
    const baseline = learnCertificate(emptyBaseline('mail.tapguard.test', 0), clean.chain);
    const intercepted = observe(certs.interceptLeaf.certPem, certs.interceptCa.certPem);
    const rules = detectCertificate(intercepted, { site, baseline, trustedRoots: [] }, Date.now()).map((f) => f.rule);
    expect(rules).toContain('cert.issuer-changed');
    expect(rules).not.toContain('cert.untrusted-root');
    const rotated = observe(certs.leafB.certPem, certs.ca.certPem);
    expect(detectCertificate(rotated, { site, baseline, trustedRoots: [] }, Date.now()).filter((f) => f.severity !== 'info')).toEqual([]);
  });
  it('never marks a root built in, so a private root copying the real CA\'s names is a critical change', () => {
    const clean = observe(certs.leafA.certPem, certs.ca.certPem);
    expect(clean.chain.map((c) => c.isBuiltInRoot)).toEqual([false, false]);
    const site = { host: 'mail.tapguard.test', name: 'lab', source: 'user' as const };
    const baseline = learnCertificate(emptyBaseline('mail.tapguard.test', 0), clean.chain);
    const copycat = observe(certs.copycatLeaf.certPem, certs.copycatCa.certPem);
    expect(copycat.chain[1]!.subject).toBe(clean.chain[1]!.subject);
    const findings = detectCertificate(copycat, { site, baseline, trustedRoots: [] }, Date.now());
    expect(findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(['cert.issuer-changed:critical', 'cert.key-changed:medium']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'copied-names', namesCopied: true });
  });
  it('names ciphers the IANA way for the weak-cipher rule', () => {
    expect(cdpCipherName({ keyExchange: 'ECDHE_ECDSA', cipher: 'AES_128_CBC', mac: 'HMAC-SHA1' })).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA1');
    expect(cdpCipherName({ keyExchange: '', cipher: 'AES_128_GCM' })).toBe('TLS_AES_128_GCM');
  });
});
