import { describe, expect, it } from 'vitest';
import { learnCertificate } from '@/lib/core/baseline';
import { chainIsLearnable, detectCertificate, detectIssuerChange } from '@/lib/core/detect/cert';
import { judgeUnknownRoot } from '@/lib/core/detect/cert-unknown-root';
import type { DetectContext } from '@/lib/core/detect/context';
import type { CertObservation, CertSummary } from '@/lib/core/observations';
import type { MonitoredSite } from '@/lib/core/sites';
import { serviceForHost } from '@/lib/core/sites/services';
import type { Finding } from '@/lib/core/types';
import { baseline, cert, ctx } from './fixtures';

// Chrome deep inspection: no certificate is ever marked built in, and the observation says the
// browser gave no word on the root (lib/background/chrome/security-details.ts).
const GTS_ROOT_NAME = 'CN=GTS Root R1,O=Google Trust Services LLC,C=US';
const WR2 = 'CN=WR2,O=Google Trust Services,C=US';
const WR3 = 'CN=WR3,O=Google Trust Services,C=US';
const gtsRoot = cert({ subject: GTS_ROOT_NAME, issuer: GTS_ROOT_NAME, sha256: 'b'.repeat(64), spkiSha256: 'spki-gts-root', isBuiltInRoot: false });
const gmail: MonitoredSite = { host: 'mail.google.com', name: 'Gmail', source: 'builtin', profile: serviceForHost('mail.google.com')! };

const chrome = (...chain: CertSummary[]): CertObservation => ({
  url: 'https://mail.google.com/mail/u/0/',
  resourceType: 'main_frame',
  state: 'secure',
  rootTrustKnown: false,
  source: 'debugger',
  chain,
});
const leaf = (issuer: string, spkiSha256: string, sha = '1') => cert({ subject: 'CN=mail.google.com', issuer, spkiSha256, sha256: sha.repeat(64), isBuiltInRoot: false });
const learned = learnCertificate(baseline({ host: 'mail.google.com', visits: 2 }), chrome(leaf(WR2, 'spki-a'), gtsRoot).chain);
const judged = (observation: CertObservation, patch: Partial<DetectContext> = {}) =>
  detectIssuerChange(observation, ctx({ site: gmail, baseline: learned, ...patch }));
const rules = (findings: Finding[]) => findings.map((f) => `${f.rule}:${f.severity}`);

/** A private root that copies Google's names, with its own key. */
const copycatRoot = cert({ subject: GTS_ROOT_NAME, issuer: GTS_ROOT_NAME, sha256: 'c'.repeat(64), spkiSha256: 'spki-copycat-root', isBuiltInRoot: false });

describe('certificates whose root trust the browser does not tell (Chrome)', () => {
  it('gives the service profile no say: its CA names under a root never seen are a change', () => {
    // Under a built-in root the Gmail profile vouches for "Google Trust Services"; here nothing is built in.
    const findings = judged(chrome(leaf(WR2, 'spki-evil'), copycatRoot));
    expect(rules(findings)).toEqual(['cert.issuer-changed:critical', 'cert.key-changed:medium']);
    expect(findings[0]!.evidence).toMatchObject({
      reason: 'copied-names',
      namesCopied: true,
      rootChanged: true,
      rootTrust: 'unknown',
      rootBuiltIn: null,
      source: 'debugger',
      current: { root: GTS_ROOT_NAME, rootSha256: copycatRoot.sha256, rootBuiltIn: null },
    });
  });

  it('calls a copycat that copies only the intermediate name (own root name) a copy too', () => {
    const ownRoot = cert({ subject: 'CN=Interception Root', issuer: 'CN=Interception Root', sha256: 'd'.repeat(64), spkiSha256: 'spki-own' });
    expect(judged(chrome(leaf(WR2, 'spki-evil'), ownRoot))[0]!.evidence.reason).toBe('copied-names');
  });

  it('is high, not critical, for copied names when the leaf key is the learned one', () => {
    expect(rules(judged(chrome(leaf(WR2, 'spki-a'), copycatRoot)))).toEqual(['cert.issuer-changed:high']);
  });

  it('stays quiet for a routine renewal: same root, same CA, new leaf and key', () => {
    expect(judged(chrome(leaf(WR2, 'spki-b', '2'), gtsRoot))).toEqual([]);
  });

  it('stays quiet for another intermediate of the same CA under the learned root (WR2 → WR3)', () => {
    expect(judged(chrome(leaf(WR3, 'spki-b', '2'), gtsRoot))).toEqual([]);
  });

  it('treats a root re-issued with its own key as the same root', () => {
    const reissued = { ...gtsRoot, sha256: 'e'.repeat(64) };
    expect(judged(chrome(leaf(WR3, 'spki-b', '2'), reissued))).toEqual([]);
  });

  it('treats another path to the learned intermediate key (a cross-signed root) as the same CA, not a copy', () => {
    const wr2 = cert({ subject: WR2, issuer: GTS_ROOT_NAME, sha256: '4'.repeat(64), spkiSha256: 'spki-wr2' });
    const viaIntermediate = learnCertificate(baseline({ host: 'mail.google.com', visits: 2 }), chrome(leaf(WR2, 'spki-a'), wr2, gtsRoot).chain);
    const crossRoot = cert({ subject: 'CN=GlobalSign Root CA,O=GlobalSign nv-sa', sha256: '5'.repeat(64), spkiSha256: 'spki-gs' });
    const crossGts = cert({ subject: GTS_ROOT_NAME, issuer: crossRoot.subject, sha256: '6'.repeat(64), spkiSha256: 'spki-gts-root' });
    expect(detectIssuerChange(chrome(leaf(WR2, 'spki-b', '2'), wr2, crossGts, crossRoot), ctx({ site: gmail, baseline: viaIntermediate }))).toEqual([]);
    // A copycat intermediate with the same name but its own key is still a copy.
    const fakeWr2 = { ...wr2, sha256: '8'.repeat(64), spkiSha256: 'spki-fake' };
    expect(rules(detectIssuerChange(chrome(leaf(WR2, 'spki-evil'), fakeWr2, copycatRoot), ctx({ site: gmail, baseline: viaIntermediate })))).toEqual(['cert.issuer-changed:critical', 'cert.key-changed:medium']);
  });

  it('is high for a new CA family under a new root, whose names copy nothing (an honest proxy)', () => {
    const proxyRoot = cert({ subject: 'CN=mitmproxy,O=mitmproxy', issuer: 'CN=mitmproxy,O=mitmproxy', sha256: 'f'.repeat(64), spkiSha256: 'spki-mitm' });
    const findings = judged(chrome(leaf('CN=mitmproxy,O=mitmproxy', 'spki-evil'), proxyRoot));
    expect(rules(findings)).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'new-ca-family', namesCopied: false, rootChanged: true });
  });

  it('is high for a new CA family under the learned root', () => {
    const findings = judged(chrome(leaf('CN=Other CA,O=Other', 'spki-a'), gtsRoot));
    expect(rules(findings)).toEqual(['cert.issuer-changed:high']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'new-ca-family', rootChanged: false });
  });

  it('judges a new root with a new name in a known family by the leaf key: high with a new key, medium without', () => {
    const otherRoot = cert({ subject: 'CN=GTS Root R4,O=Google Trust Services LLC,C=US', sha256: '7'.repeat(64), spkiSha256: 'spki-r4' });
    const we1 = 'CN=WE1,O=Google Trust Services,C=US';
    expect(rules(judged(chrome(leaf(we1, 'spki-b'), otherRoot)))).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
    expect(rules(judged(chrome(leaf(we1, 'spki-a'), otherRoot)))).toEqual(['cert.issuer-changed:medium']);
  });

  it('stays quiet for a root the user trusts for this host', () => {
    expect(judged(chrome(leaf(WR2, 'spki-evil'), copycatRoot), { trustedRoots: [copycatRoot.sha256] })).toEqual([]);
  });

  it('never says "untrusted root": the browser did not say', () => {
    const rules = detectCertificate(chrome(leaf(WR2, 'spki-evil'), copycatRoot), ctx({ site: gmail, baseline: learned }), Date.UTC(2026, 5, 1)).map((f) => f.rule);
    expect(rules).not.toContain('cert.untrusted-root');
  });

  it('does not learn a copycat, so the next visit reports it again; learns a CA change of high severity', () => {
    const copycat = judged(chrome(leaf(WR2, 'spki-evil'), copycatRoot));
    expect(chainIsLearnable(copycat)).toBe(false);
    const moved = judged(chrome(leaf('CN=Other CA,O=Other', 'spki-a'), gtsRoot));
    expect(chainIsLearnable(moved)).toBe(true);
  });

  it('learns the root key beside the root', () => {
    expect(learned.certRootSpki).toEqual(['spki-gts-root']);
  });
});

describe('a leaf shown alone (proposed webRequest securityInfo)', () => {
  const leafOnly = (summary: CertSummary): CertObservation => ({ ...chrome(summary), chainScope: 'leaf', source: 'webrequest' });
  const leafLearned = learnCertificate(baseline({ host: 'mail.google.com', visits: 2 }), [leaf(WR2, 'spki-a')], true);

  it('learns the issuer and key, never the leaf as a root', () => {
    expect(leafLearned).toMatchObject({ certRoots: [], certIssuers: [WR2], certSpki: ['spki-a'] });
  });

  it('is quiet for a renewal and for another intermediate of the same family', () => {
    expect(judgeUnknownRoot(leafOnly(leaf(WR3, 'spki-b', '2')), leafLearned)).toBeUndefined();
  });

  it('judges a full chain against issuers learned from leaves by family alone', () => {
    expect(judgeUnknownRoot(chrome(leaf(WR2, 'spki-b'), gtsRoot), leafLearned)).toBeUndefined();
  });

  it('reports a new CA family and the new key', () => {
    const findings = detectIssuerChange(leafOnly(leaf('CN=mitmproxy,O=mitmproxy', 'spki-evil')), ctx({ site: gmail, baseline: leafLearned }));
    expect(rules(findings)).toEqual(['cert.issuer-changed:high', 'cert.key-changed:medium']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'new-ca-family', chainScope: 'leaf', source: 'webrequest', current: { root: null } });
  });
});
