import type { CertObservation } from '../observations';
import type { Finding } from '../types';
import { hostOf } from '../url';
import type { DetectContext } from './context';

/**
 * cert.untrusted-root: the chain ends in a root the browser does not ship and the user has not
 * trusted for this host. On a messaging host this is how a state or corporate interception CA
 * looks (Kazakhstan 2019: same subject names, only issuer and root changed), so it is critical.
 */
export function detectUntrustedRoot(cert: CertObservation, ctx: DetectContext): Finding[] {
  const root = cert.chain[cert.chain.length - 1];
  const leaf = cert.chain[0];
  if (!root || !leaf || root.isBuiltInRoot) return [];
  if (ctx.trustedRoots.includes(root.sha256)) return [];
  return [
    {
      rule: 'cert.untrusted-root',
      severity: 'critical',
      host: hostOf(cert.url),
      url: cert.url,
      evidence: {
        resourceType: cert.resourceType,
        subject: leaf.subject,
        issuer: leaf.issuer,
        root: root.subject,
        rootSha256: root.sha256,
        leafSha256: leaf.sha256,
        leafSpkiSha256: leaf.spkiSha256,
        validFrom: isoDate(leaf.notBefore),
        validUntil: isoDate(leaf.notAfter),
        protocol: cert.protocolVersion ?? null,
        cipher: cert.cipherSuite ?? null,
        chainLength: cert.chain.length,
        baselineRoots: ctx.baseline?.certRoots ?? [],
        baselineIssuers: ctx.baseline?.certIssuers ?? [],
      },
      dedupeParts: [root.sha256],
    },
  ];
}

function isoDate(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
