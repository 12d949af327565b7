import type { Baseline } from '../baseline';
import type { CertObservation, CertSummary } from '../observations';
import type { Severity } from '../types';
import { organisationOf } from '../x509';

/**
 * Why a chain differs from what a host used before, judged without the browser's word on its
 * root (Chrome: the debugger never says whether a root is built in; the proposed webRequest
 * `securityInfo` shows the leaf alone). Such a root is neither trusted nor distrusted, so:
 *
 * - a service profile's CA names vouch for nothing (anyone can put "Google Trust Services" in a
 *   private root, and a browser that shows no trust bit cannot tell them apart);
 * - the same root as before, same CA family: quiet whatever the leaf and key (a renewal);
 * - a re-issued root (new certificate, same key as a learned root), or a new path to a learned
 *   intermediate key (cross-signing): the same root;
 * - a new root whose names copy the learned chain (root subject or leaf issuer as before) with
 *   another key: `copied-names`, the shape of an interceptor that mimics the real CA. Critical
 *   when the leaf key is new too (it always is, unless the server's key was stolen), else high;
 * - a new CA family: `new-ca-family`, high (a service may change CA; an honest proxy names itself);
 * - a new root with a new root name in a known family: `new-root`, high with a new leaf key,
 *   medium without.
 * A leaf-only observation has no root: it can only compare the issuer family, so a copycat that
 * copies the issuer name is beyond it (said in the README). The same holds for a full chain
 * judged against a baseline learned from leaves alone.
 */
export interface UnknownRootChange {
  reason: 'copied-names' | 'new-ca-family' | 'new-root';
  severity: Severity;
  rootChanged: boolean;
  namesCopied: boolean;
  leafKeyChanged: boolean;
}

const isLeafOnly = (cert: CertObservation) => cert.chainScope === 'leaf';

export function judgeUnknownRoot(cert: CertObservation, baseline: Baseline): UnknownRootChange | undefined {
  const leaf: CertSummary | undefined = cert.chain[0];
  const root: CertSummary | undefined = cert.chain[cert.chain.length - 1];
  if (!leaf || !root) return undefined;
  const family = organisationOf(leaf.issuer);
  const familyKnown = baseline.certIssuers.some((issuer) => organisationOf(issuer) === family);
  const leafKeyChanged = !baseline.certSpki.includes(leaf.spkiSha256);
  // No root to compare on one side: a leaf shown alone, or a baseline learned from such leaves.
  if (isLeafOnly(cert) || baseline.certRoots.length === 0) {
    return familyKnown ? undefined : { reason: 'new-ca-family', severity: 'high', rootChanged: false, namesCopied: false, leafKeyChanged };
  }
  const rootKeys = baseline.certRootSpki ?? [];
  // The same intermediate key reached by another path (a cross-signed root) is the same CA: a
  // copycat has the names, never the key.
  const issuerKeyKnown = cert.chain.length > 2 && (baseline.certIssuerSpki ?? []).includes(cert.chain[1]!.spkiSha256);
  const rootKnown = baseline.certRoots.includes(root.sha256) || rootKeys.includes(root.spkiSha256) || issuerKeyKnown;
  if (rootKnown) {
    return familyKnown ? undefined : { reason: 'new-ca-family', severity: 'high', rootChanged: false, namesCopied: false, leafKeyChanged };
  }
  const learnedRootNames = Object.values(baseline.certRootSubjects ?? {});
  const namesCopied = learnedRootNames.includes(root.subject) || baseline.certIssuers.includes(leaf.issuer);
  if (namesCopied) {
    return { reason: 'copied-names', severity: leafKeyChanged ? 'critical' : 'high', rootChanged: true, namesCopied, leafKeyChanged };
  }
  if (!familyKnown) return { reason: 'new-ca-family', severity: 'high', rootChanged: true, namesCopied, leafKeyChanged };
  return { reason: 'new-root', severity: leafKeyChanged ? 'high' : 'medium', rootChanged: true, namesCopied, leafKeyChanged };
}
