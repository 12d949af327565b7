import { describe, expect, it } from 'vitest';
import {
  chainIsLearnable,
  detectCertExpired,
  detectCertificate,
  detectCtMissing,
  detectErrorBypassed,
  detectIssuerChange,
  detectKnownInterceptor,
  detectUntrustedRoot,
  detectWeakSignature,
} from '@/lib/core/detect/cert';
import type { DetectContext } from '@/lib/core/detect/context';
import type { CertObservation, CertSummary } from '@/lib/core/observations';
import type { MonitoredSite } from '@/lib/core/sites';
import { serviceForHost } from '@/lib/core/sites/services';
import type { Finding } from '@/lib/core/types';
import { baseline, cert, ctx, publicRoot, rogueRoot } from './fixtures';

const observation = (root: typeof publicRoot) => ({
  url: 'https://mail.example.org/?_task=mail',
  resourceType: 'main_frame',
  state: 'secure',
  protocolVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  chain: [cert({ issuer: root.subject }), root],
});

describe('cert.untrusted-root', () => {
  it('is critical when the chain ends in a root the browser does not ship', () => {
    const [finding] = detectUntrustedRoot(observation(rogueRoot), ctx());
    expect(finding).toMatchObject({
      rule: 'cert.untrusted-root',
      severity: 'critical',
      dedupeParts: [rogueRoot.sha256],
      evidence: { root: rogueRoot.subject, rootSha256: rogueRoot.sha256, issuer: rogueRoot.subject, protocol: 'TLSv1.3' },
    });
  });

  it('is quiet for a built-in root', () => {
    expect(detectUntrustedRoot(observation(publicRoot), ctx())).toEqual([]);
  });

  it('is quiet for a private root the user trusts for this host', () => {
    expect(detectUntrustedRoot(observation(rogueRoot), ctx({ trustedRoots: [rogueRoot.sha256] }))).toEqual([]);
  });

  it('ignores an empty chain', () => {
    expect(detectUntrustedRoot({ ...observation(rogueRoot), chain: [] }, ctx())).toEqual([]);
  });
});

// ---- the rest of the certificate family --------------------------------------------------------

const NOW = Date.UTC(2026, 5, 1);
const LE = "CN=R10,O=Let's Encrypt,C=US";
const leafA = cert({ issuer: LE, sha256: '1'.repeat(64), spkiSha256: 'spki-a' });
const learned = baseline({
  visits: 3,
  certRoots: [publicRoot.sha256],
  certIssuers: [LE],
  certSpki: ['spki-a'],
  certRootSubjects: { [publicRoot.sha256]: publicRoot.subject },
});
const chainOf = (...chain: CertSummary[]): CertObservation => ({
  url: 'https://mail.example.org/',
  resourceType: 'main_frame',
  state: 'secure',
  protocolVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  chain,
});
const rules = (findings: Finding[]) => findings.map((f) => `${f.rule}:${f.severity}`);
const interceptRoot = cert({ subject: 'CN=Lab Interception Root,O=Lawful Interception Lab', issuer: 'CN=Lab Interception Root,O=Lawful Interception Lab', sha256: '9'.repeat(64) });

describe('cert.issuer-changed / cert.key-changed', () => {
  const judged = (observation: CertObservation, patch: Partial<DetectContext> = {}) => detectIssuerChange(observation, ctx({ baseline: learned, ...patch }));

  it('compares nothing before a chain has been learned', () => {
    expect(detectIssuerChange(chainOf(cert({ issuer: interceptRoot.subject }), interceptRoot), ctx())).toEqual([]);
    expect(detectIssuerChange(chainOf(cert({ issuer: interceptRoot.subject }), interceptRoot), ctx({ baseline: baseline() }))).toEqual([]);
  });

  it('is quiet for a new leaf and a new key under the same issuer and root (renewal)', () => {
    expect(judged(chainOf(cert({ issuer: LE, sha256: '2'.repeat(64), spkiSha256: 'spki-b' }), publicRoot))).toEqual([]);
  });

  it("is quiet for another intermediate of the same CA under the same root (Let's Encrypt R10 → R11)", () => {
    expect(judged(chainOf(cert({ issuer: "CN=R11,O=Let's Encrypt,C=US", spkiSha256: 'spki-b' }), publicRoot))).toEqual([]);
  });

  it('is critical, with old and new side by side, when a private root re-signs the host', () => {
    const findings = judged(chainOf(cert({ issuer: interceptRoot.subject, spkiSha256: 'spki-evil' }), interceptRoot));
    expect(rules(findings)).toEqual(['cert.issuer-changed:critical', 'cert.key-changed:medium']);
    const [changed, key] = findings;
    expect(changed!.evidence).toMatchObject({
      reason: 'new-private-root',
      rootChanged: true,
      previous: { roots: [{ sha256: publicRoot.sha256, subject: publicRoot.subject }], issuers: [LE], spki: ['spki-a'] },
      current: { root: interceptRoot.subject, rootSha256: interceptRoot.sha256, rootBuiltIn: false, issuer: interceptRoot.subject, leafSpkiSha256: 'spki-evil' },
      subject: 'CN=mail.example.org',
      protocol: 'TLSv1.3',
    });
    expect(changed!.dedupeParts).toEqual([interceptRoot.sha256, interceptRoot.subject]);
    expect(key!.evidence).toMatchObject({ previousSpki: ['spki-a'], currentSpki: 'spki-evil', issuerChanged: true, rootChanged: true });
  });

  it('is critical even when the interceptor copies the issuer name: the root gives it away', () => {
    expect(rules(judged(chainOf(cert({ issuer: LE, spkiSha256: 'spki-a' }), interceptRoot)))).toEqual(['cert.issuer-changed:critical']);
  });

  it('is high when a different CA appears under a built-in root', () => {
    const otherCa = 'CN=Some Sub CA,O=Other Public CA Ltd,C=FR';
    const otherRoot = cert({ subject: 'CN=Other Root,O=Other Public CA Ltd', sha256: '8'.repeat(64), isBuiltInRoot: true });
    expect(rules(judged(chainOf(cert({ issuer: otherCa, spkiSha256: 'spki-b' }), otherRoot)))).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
    // …also under the very same root (a publicly trusted sub-CA handed to someone else).
    expect(rules(judged(chainOf(cert({ issuer: otherCa, spkiSha256: 'spki-a' }), publicRoot)))).toEqual(['cert.issuer-changed:high']);
  });

  it("is quiet for a service profile's own CA under a built-in root, not under a private one", () => {
    const gmail: MonitoredSite = { host: 'mail.google.com', name: 'Gmail', source: 'builtin', profile: serviceForHost('mail.google.com')! };
    const gts = 'CN=WR2,O=Google Trust Services,C=US';
    const gtsRoot = cert({ subject: 'CN=GTS Root R1,O=Google Trust Services LLC,C=US', sha256: '7'.repeat(64), isBuiltInRoot: true });
    expect(judged(chainOf(cert({ issuer: gts }), gtsRoot), { site: gmail })).toEqual([]);
    const fakeGtsRoot = cert({ ...gtsRoot, sha256: '6'.repeat(64), isBuiltInRoot: false });
    expect(rules(judged(chainOf(cert({ issuer: gts }), fakeGtsRoot), { site: gmail }))).toEqual(['cert.issuer-changed:critical', 'cert.key-changed:medium']);
  });

  it('tolerates a cross-signed path (new built-in root, same CA) but notes a new key with it', () => {
    const crossRoot = cert({ subject: 'CN=DST Root CA X3,O=Digital Signature Trust Co.', sha256: '5'.repeat(64), isBuiltInRoot: true });
    expect(judged(chainOf(cert({ issuer: LE, spkiSha256: 'spki-a' }), crossRoot))).toEqual([]);
    expect(rules(judged(chainOf(cert({ issuer: LE, spkiSha256: 'spki-b' }), crossRoot)))).toEqual(['cert.key-changed:medium']);
  });

  it('is quiet for a root the user trusts for this host', () => {
    expect(judged(chainOf(cert({ issuer: interceptRoot.subject }), interceptRoot), { trustedRoots: [interceptRoot.sha256] })).toEqual([]);
  });
});

describe('cert.known-interceptor', () => {
  const mitm = 'CN=mitmproxy,O=mitmproxy';
  const mitmRoot = cert({ subject: mitm, issuer: mitm, sha256: '4'.repeat(64) });

  it('names the product and the certificate that matched, high for a debugging proxy', () => {
    const [found, ...rest] = detectKnownInterceptor(chainOf(cert({ issuer: mitm }), mitmRoot), ctx());
    expect(rest).toEqual([]);
    expect(found).toMatchObject({
      rule: 'cert.known-interceptor',
      severity: 'high',
      dedupeParts: ['mitmproxy', mitmRoot.sha256],
      evidence: {
        product: 'mitmproxy',
        category: 'debugging',
        certainty: 'exact',
        source: 'mitmproxy mitmproxy/certs.py',
        matchedCert: { position: 0, role: 'leaf', field: 'issuer', issuer: mitm },
        root: mitm,
        rootSha256: mitmRoot.sha256,
      },
    });
  });

  it('is critical for state interception', () => {
    const kz = 'CN=Qaznet Trust Network,C=KZ';
    const [found] = detectKnownInterceptor(chainOf(cert({ issuer: kz }), cert({ subject: kz, issuer: kz, sha256: '3'.repeat(64) })), ctx());
    expect(found).toMatchObject({ severity: 'critical', evidence: { category: 'state', product: expect.stringContaining('Kazakhstan') } });
  });

  it('judges a state CA that also serves its own country by the host', () => {
    const ru = 'CN=Russian Trusted Root CA,O=The Ministry of Digital Development and Communications,C=RU';
    const chain = (url: string) => ({ ...chainOf(cert({ issuer: ru }), cert({ subject: ru, issuer: ru, sha256: '2'.repeat(64) })), url });
    expect(detectKnownInterceptor(chain('https://mail.example.org/'), ctx())[0]?.severity).toBe('critical');
    expect(detectKnownInterceptor(chain('https://mail.example.ru/'), ctx())[0]?.severity).toBe('high');
  });

  it('still names a product whose root the user trusts for the host, at info level', () => {
    expect(detectKnownInterceptor(chainOf(cert({ issuer: mitm }), mitmRoot), ctx({ trustedRoots: [mitmRoot.sha256] }))[0]).toMatchObject({
      severity: 'info',
      evidence: { userTrustedRoot: true },
    });
  });

  it('is quiet for ordinary public chains', () => {
    expect(detectKnownInterceptor(chainOf(leafA, publicRoot), ctx())).toEqual([]);
  });
});

describe('cert.expired', () => {
  it('is high for an expired or not yet valid leaf, quiet inside its validity', () => {
    const expired = cert({ notBefore: Date.UTC(2025, 0, 1), notAfter: Date.UTC(2026, 0, 1) });
    const future = cert({ notBefore: Date.UTC(2027, 0, 1), notAfter: Date.UTC(2027, 6, 1) });
    expect(detectCertExpired(chainOf(expired, publicRoot), ctx(), NOW)).toMatchObject([
      { rule: 'cert.expired', severity: 'high', evidence: { problem: 'expired', validUntil: '2026-01-01T00:00:00.000Z', checkedAt: '2026-06-01T00:00:00.000Z' } },
    ]);
    expect(detectCertExpired(chainOf(future, publicRoot), ctx(), NOW)).toMatchObject([{ evidence: { problem: 'not-yet-valid' } }]);
    expect(detectCertExpired(chainOf(leafA, publicRoot), ctx(), NOW)).toEqual([]);
  });

  it('does not guess when Firefox gave no validity', () => {
    expect(detectCertExpired(chainOf(cert({ notBefore: NaN, notAfter: NaN }), publicRoot), ctx(), NOW)).toEqual([]);
    expect(detectCertExpired(chainOf(cert({ notBefore: 0, notAfter: 0 }), publicRoot), ctx(), NOW)).toEqual([]);
  });
});

describe('cert.weak-signature', () => {
  it('is high for a SHA-1 or MD5 signature or a short RSA key, naming the weak certificate', () => {
    const sha1Leaf = cert({ signatureAlgorithm: 'sha1WithRSAEncryption', signatureHash: 'sha1', keyAlgorithm: 'rsa', keyBits: 2048 });
    expect(detectWeakSignature(chainOf(sha1Leaf, publicRoot), ctx())).toMatchObject([
      {
        rule: 'cert.weak-signature',
        severity: 'high',
        evidence: { weakCerts: [{ position: 0, role: 'leaf', signatureAlgorithm: 'sha1WithRSAEncryption', reasons: ['signature uses SHA1'] }] },
      },
    ]);
    const shortKey = cert({ signatureHash: 'sha256', keyAlgorithm: 'rsa', keyBits: 1024 });
    expect(detectWeakSignature(chainOf(shortKey, publicRoot), ctx())[0]?.evidence.weakCerts).toMatchObject([{ reasons: ['RSA key of 1024 bits'] }]);
    const md5Intermediate = cert({ subject: 'CN=Sub', sha256: 'e'.repeat(64), signatureHash: 'md5' });
    expect(detectWeakSignature(chainOf(leafA, md5Intermediate, publicRoot), ctx())[0]?.evidence.weakCerts).toMatchObject([{ role: 'intermediate' }]);
  });

  it("ignores a root's own self-signature, and certificates whose DER was not read", () => {
    const sha1Root = { ...publicRoot, issuer: publicRoot.subject, signatureHash: 'sha1', keyAlgorithm: 'rsa', keyBits: 4096 };
    expect(detectWeakSignature(chainOf(cert({ signatureHash: 'sha256', keyAlgorithm: 'ec', keyBits: 256 }), sha1Root), ctx())).toEqual([]);
    expect(detectWeakSignature(chainOf(leafA, publicRoot), ctx())).toEqual([]);
  });
});

describe('cert.ct-missing', () => {
  it('is medium when Firefox finds too few SCTs on a public chain', () => {
    for (const status of ['policy_not_enough_scts', 'policy_not_diverse_scts']) {
      expect(detectCtMissing({ ...chainOf(leafA, publicRoot), certificateTransparencyStatus: status }, ctx())).toMatchObject([
        { rule: 'cert.ct-missing', severity: 'medium', evidence: { ctStatus: status } },
      ]);
    }
  });

  it('is quiet for compliant, not applicable, unknown, and private-root chains', () => {
    for (const status of ['policy_compliant', 'not_applicable', 'unknown', 'not_configured']) {
      expect(detectCtMissing({ ...chainOf(leafA, publicRoot), certificateTransparencyStatus: status }, ctx())).toEqual([]);
    }
    expect(detectCtMissing({ ...chainOf(leafA, rogueRoot), certificateTransparencyStatus: 'policy_not_enough_scts' }, ctx())).toEqual([]);
  });
});

describe('cert.error-bypassed', () => {
  it('is critical when the response arrived through an overridden certificate error', () => {
    const overridden = { ...chainOf(leafA, rogueRoot), overridableErrorCategory: 'trust_error', isUntrusted: true };
    expect(detectErrorBypassed(overridden, ctx())).toMatchObject([
      { rule: 'cert.error-bypassed', severity: 'critical', dedupeParts: ['trust_error', leafA.sha256], evidence: { overridableErrorCategory: 'trust_error', isUntrusted: true, isDomainMismatch: false } },
    ]);
    expect(detectErrorBypassed({ ...chainOf(leafA, publicRoot), isDomainMismatch: true }, ctx())).toMatchObject([{ dedupeParts: ['domain_mismatch', leafA.sha256] }]);
    expect(detectErrorBypassed({ ...chainOf(leafA, publicRoot), state: 'broken', errorMessage: 'x' }, ctx())).toMatchObject([{ evidence: { errorMessage: 'x' } }]);
  });

  it('is quiet for a valid connection', () => {
    expect(detectErrorBypassed(chainOf(leafA, publicRoot), ctx())).toEqual([]);
  });
});

describe('detectCertificate and learning', () => {
  it('raises untrusted-root and issuer-changed together for an interception chain after a clean baseline', () => {
    const findings = detectCertificate(chainOf(cert({ issuer: interceptRoot.subject, spkiSha256: 'spki-evil' }), interceptRoot), ctx({ baseline: learned }), NOW);
    expect(rules(findings)).toEqual(['cert.untrusted-root:critical', 'cert.issuer-changed:critical', 'cert.key-changed:medium']);
    expect(chainIsLearnable(findings)).toBe(false);
  });

  it('learns clean chains and CA changes under trusted roots, not chains that point at interception', () => {
    expect(chainIsLearnable(detectCertificate(chainOf(leafA, publicRoot), ctx({ baseline: learned }), NOW))).toBe(true);
    const otherCa = cert({ issuer: 'CN=X,O=Other Public CA', spkiSha256: 'spki-new' });
    const changed = detectCertificate(chainOf(otherCa, publicRoot), ctx({ baseline: learned }), NOW);
    expect(rules(changed)).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
    expect(chainIsLearnable(changed)).toBe(true);
    const mitm = 'CN=mitmproxy,O=mitmproxy';
    const mitmRoot = cert({ subject: mitm, issuer: mitm, sha256: '4'.repeat(64) });
    expect(chainIsLearnable(detectCertificate(chainOf(cert({ issuer: mitm }), mitmRoot), ctx({ trustedRoots: [mitmRoot.sha256] }), NOW))).toBe(true);
    expect(chainIsLearnable(detectCertificate(chainOf(cert({ notAfter: Date.UTC(2026, 0, 1) }), publicRoot), ctx(), NOW))).toBe(false);
  });
});
