// @vitest-environment node
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabCerts, type LabCerts } from '../../lab/certs';
import { emptyBaseline, learnCertificate } from '@/lib/core/baseline';
import {
  certObservationFromProposedSecurityInfo,
  listenForSecurityInfo,
  proposedSecurityInfoOf,
  type HeadersReceivedEvent,
  type ProposedSecurityInfo,
} from '@/lib/background/chrome/standard-security-info';
import { detectCertificate } from '@/lib/core/detect/cert';
import type { CertObservation } from '@/lib/core/observations';

let dir: string;
let certs: LabCerts;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tapguard-std-'));
  certs = generateLabCerts(dir, ['mail.tapguard.test']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The proposal's shape (proposals/security_info_web_request.md): one leaf, fingerprint, DER, state. */
function securityInfo(pem: string, patch: Partial<ProposedSecurityInfo> = {}): ProposedSecurityInfo {
  const x509 = new X509Certificate(pem);
  return { state: 'secure', certificates: [{ fingerprint: { sha256: x509.fingerprint256 }, rawDER: new Uint8Array(x509.raw) }], ...patch };
}
const request = { url: 'https://mail.tapguard.test/', type: 'main_frame' };
const site = { host: 'mail.tapguard.test', name: 'lab', source: 'user' as const };
const rules = (cert: CertObservation, baseline = learnCertificate(emptyBaseline('mail.tapguard.test', 0), observe(certs.leafA.certPem).chain, true)) =>
  detectCertificate(cert, { site, baseline, trustedRoots: [] }, Date.now()).map((f) => `${f.rule}:${f.severity}`);
const observe = (pem: string) => certObservationFromProposedSecurityInfo(request, securityInfo(pem))!;

describe('the proposed webRequest securityInfo (w3c/webextensions#882)', () => {
  it('becomes a leaf-only observation, root trust unknown, judged source "webrequest"', () => {
    const cert = observe(certs.leafA.certPem);
    expect(cert).toMatchObject({ url: request.url, resourceType: 'main_frame', state: 'secure', chainScope: 'leaf', rootTrustKnown: false, source: 'webrequest' });
    expect(cert.chain).toHaveLength(1);
    expect(cert.chain[0]).toMatchObject({ subject: 'CN=mail.tapguard.test', issuer: 'O=Tapguard Lab,CN=Tapguard Lab Root CA', isBuiltInRoot: false });
  });

  it('judges leaf and key changes: a renewal is quiet, a new CA family is high with its key change', () => {
    expect(rules(observe(certs.leafB.certPem))).toEqual([]);
    expect(rules(observe(certs.interceptLeaf.certPem))).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
  });

  it('cannot see a copycat that copies the issuer name: no root to compare (said in the README)', () => {
    expect(rules(observe(certs.copycatLeaf.certPem))).toEqual([]);
  });

  it('reports a "broken" connection (a warning clicked through) as cert.error-bypassed', () => {
    const cert = certObservationFromProposedSecurityInfo(request, securityInfo(certs.interceptLeaf.certPem, { state: 'broken' }))!;
    expect(rules(cert)).toContain('cert.error-bypassed:critical');
  });

  it('gives nothing for plain http, without DER, or when the DER does not hash to the fingerprint', () => {
    expect(certObservationFromProposedSecurityInfo(request, { state: 'insecure', certificates: [] })).toBeUndefined();
    const withoutDer = securityInfo(certs.leafA.certPem);
    delete withoutDer.certificates[0]!.rawDER;
    expect(certObservationFromProposedSecurityInfo(request, withoutDer)).toBeUndefined();
    const mismatched = securityInfo(certs.leafA.certPem);
    mismatched.certificates[0]!.fingerprint.sha256 = new X509Certificate(certs.leafB.certPem).fingerprint256;
    expect(certObservationFromProposedSecurityInfo(request, mismatched)).toBeUndefined();
  });

  it('accepts the fingerprint as hex with or without colons, or base64', () => {
    const x509 = new X509Certificate(certs.leafA.certPem);
    const hex = x509.fingerprint256.replace(/:/g, '');
    for (const sha256 of [hex.toLowerCase(), Buffer.from(hex, 'hex').toString('base64')]) {
      expect(certObservationFromProposedSecurityInfo(request, { state: 'secure', certificates: [{ fingerprint: { sha256 }, rawDER: new Uint8Array(x509.raw) }] })).toBeDefined();
    }
  });

  it('validates the shape before use', () => {
    expect(proposedSecurityInfoOf({ securityInfo: securityInfo(certs.leafA.certPem) })).toBeDefined();
    for (const securityInfo of [undefined, 'x', { state: 'weak', certificates: [] }, { state: 'secure', certificates: [{}] }, { state: 'secure', certificates: 'x' }]) {
      expect(proposedSecurityInfoOf({ securityInfo })).toBeUndefined();
    }
  });
});

describe('listenForSecurityInfo (feature detection)', () => {
  it('says the browser lacks it when adding the listener with "securityInfoRawDer" throws', () => {
    const event: HeadersReceivedEvent = {
      addListener: () => {
        throw new Error("Invalid value for argument 3. Index 0: Value must be one of blocking, extraHeaders, requestHeaders, responseHeaders.");
      },
    };
    expect(listenForSecurityInfo(event, { urls: ['https://*/*'] }, () => {})).toBe(false);
  });

  it('uses it where offered, passing each judged leaf on with its tab', () => {
    let listener: ((details: { url: string; type: string; tabId: number }) => void) | undefined;
    const specs: string[][] = [];
    const event: HeadersReceivedEvent = { addListener: (l, _f, spec) => ((listener = l), void specs.push(spec)) };
    const seen: Array<[number, CertObservation]> = [];
    expect(listenForSecurityInfo(event, { urls: ['https://*/*'] }, (tabId, cert) => seen.push([tabId, cert]))).toBe(true);
    expect(specs).toEqual([['securityInfoRawDer']]);
    listener!({ ...request, tabId: 4, securityInfo: securityInfo(certs.leafA.certPem) } as never);
    listener!({ ...request, tabId: 4 });
    expect(seen.map(([tabId, cert]) => [tabId, cert.source])).toEqual([[4, 'webrequest']]);
  });
});
