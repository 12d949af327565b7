import type { Baseline } from '../baseline';
import { findInterceptors } from '../interceptors';
import type { CertObservation, CertSummary } from '../observations';
import type { Evidence, Finding, RuleId, Severity } from '../types';
import { hostOf } from '../url';
import { organisationOf } from '../x509';
import { judgeUnknownRoot } from './cert-unknown-root';
import type { DetectContext } from './context';

/**
 * cert.untrusted-root: the chain ends in a root the browser does not ship and the user has not
 * trusted for this host. On a messaging host this is how a state or corporate interception CA
 * looks (Kazakhstan 2019: same subject names, only issuer and root changed), so it is critical.
 */
export function detectUntrustedRoot(cert: CertObservation, ctx: DetectContext): Finding[] {
  const root = cert.chain[cert.chain.length - 1];
  const leaf = cert.chain[0];
  // Never pretend a check ran: without the browser's word on the root, there is nothing to judge.
  if (!root || !leaf || root.isBuiltInRoot || cert.rootTrustKnown === false) return [];
  if (ctx.trustedRoots.includes(root.sha256)) return [];
  return [
    {
      rule: 'cert.untrusted-root',
      severity: 'critical',
      host: hostOf(cert.url),
      url: cert.url,
      evidence: {
        ...chainEvidence(cert),
        baselineRoots: ctx.baseline?.certRoots ?? [],
        baselineIssuers: ctx.baseline?.certIssuers ?? [],
      },
      dedupeParts: [root.sha256],
    },
  ];
}

function isoDate(ms: number): string | null {
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

const leafOf = (cert: CertObservation): CertSummary | undefined => cert.chain[0];
const rootOf = (cert: CertObservation): CertSummary | undefined => cert.chain[cert.chain.length - 1];
const roleOf = (position: number, length: number) => (position === 0 ? 'leaf' : position === length - 1 ? 'root' : 'intermediate');

/**
 * What every certificate finding carries, so that an exported incident proves itself without the
 * browser: who the certificate names, who signed it, where the chain ends, the key, the validity,
 * the connection, and every certificate of the chain by fingerprint.
 */
export function chainEvidence(cert: CertObservation): Evidence {
  const leaf = leafOf(cert);
  const root = rootOf(cert);
  // Where the browser gives no word on the root (Chrome), say "unknown", never "not built in".
  const trustKnown = cert.rootTrustKnown !== false;
  return {
    resourceType: cert.resourceType,
    ...(cert.source ? { source: cert.source } : {}),
    ...(cert.chainScope ? { chainScope: cert.chainScope } : {}),
    subject: leaf?.subject ?? null,
    issuer: leaf?.issuer ?? null,
    root: root?.subject ?? null,
    rootSha256: root?.sha256 ?? null,
    rootBuiltIn: trustKnown ? (root?.isBuiltInRoot ?? false) : null,
    leafSha256: leaf?.sha256 ?? null,
    leafSpkiSha256: leaf?.spkiSha256 ?? null,
    serial: leaf?.serial ?? null,
    validFrom: leaf ? isoDate(leaf.notBefore) : null,
    validUntil: leaf ? isoDate(leaf.notAfter) : null,
    protocol: cert.protocolVersion ?? null,
    cipher: cert.cipherSuite ?? null,
    state: cert.state,
    chainLength: cert.chain.length,
    chain: cert.chain.map((c) => ({
      subject: c.subject,
      issuer: c.issuer,
      sha256: c.sha256,
      spkiSha256: c.spkiSha256,
      builtInRoot: trustKnown ? c.isBuiltInRoot : null,
      ...(c.signatureAlgorithm ? { signatureAlgorithm: c.signatureAlgorithm } : {}),
      ...(c.keyAlgorithm ? { key: `${c.keyAlgorithm}${c.keyBits ? `-${c.keyBits}` : ''}` } : {}),
    })),
  };
}

/** The learned side of a comparison, with root names where the baseline kept them. */
export function baselineEvidence(baseline: Baseline | undefined): Evidence | null {
  if (!baseline || baseline.certRoots.length === 0) return null;
  return {
    roots: baseline.certRoots.map((sha256) => ({ sha256, subject: baseline.certRootSubjects?.[sha256] ?? null })),
    issuers: [...baseline.certIssuers],
    spki: [...baseline.certSpki],
    firstSeen: isoDate(baseline.firstSeen),
    lastSeen: isoDate(baseline.lastSeen),
  };
}

function finding(rule: RuleId, severity: Severity, cert: CertObservation, evidence: Evidence, dedupeParts: string[]): Finding {
  return { rule, severity, host: hostOf(cert.url), url: cert.url, evidence: { ...chainEvidence(cert), ...evidence }, dedupeParts };
}

/**
 * cert.issuer-changed and cert.key-changed: trust on first use with rotation tolerance. Compared
 * only once the baseline holds a learned (trusted) chain for the host.
 *
 * The CA family of a chain is the organisation of the leaf's issuer (O=, else CN): Let's Encrypt
 * picks R10 or R11 at each renewal and Google moves between WR2 and WR3, so the family, not the
 * exact intermediate, is what must stay the same.
 * - same family, same root: quiet, whatever the leaf and key (routine renewal).
 * - a root the user trusts for this host: quiet (the user vouched for it; cert.untrusted-root
 *   stays quiet too, and cert.known-interceptor still names a product at info level).
 * - a new root that is not built in: issuer-changed, critical. An interceptor needs its own root
 *   even when it copies every name, so this also fires when the issuer's name looks familiar. It
 *   comes together with cert.untrusted-root on purpose: that one says "private root", this one
 *   says "and this host did not use it before", with the old chain beside the new.
 * - a new family under a built-in root: issuer-changed, high, unless the service profile lists
 *   that organisation among its own CAs. A service can change CA; a publicly trusted sub-CA misused
 *   for interception (ANSSI 2013, MCS Holdings 2015) looks exactly like this. The chain is still
 *   learned, so a real CA change is reported once, not on every visit.
 * - a new built-in root in the same family: quiet (cross-signed paths let the root vary).
 * key-changed (medium) fires when the leaf's key is new AND either the issuer changed (above) or
 * the root changed (except to a root of a CA the profile vouches for): a renewal keeps the CA, an
 * interceptor always brings its own key and CA.
 */
export function detectIssuerChange(cert: CertObservation, ctx: DetectContext): Finding[] {
  const leaf = leafOf(cert);
  const root = rootOf(cert);
  const baseline = ctx.baseline;
  if (!leaf || !root || !baseline) return [];
  if (ctx.trustedRoots.includes(root.sha256)) return [];
  // Without the browser's word on roots a baseline may hold issuers only (leaves shown alone).
  if (cert.rootTrustKnown === false) return baseline.certIssuers.length === 0 ? [] : unknownRootFindings(cert, ctx, baseline);
  if (baseline.certRoots.length === 0) return [];

  const rootKnown = baseline.certRoots.includes(root.sha256);
  const family = organisationOf(leaf.issuer);
  const profileIssuers = (ctx.site.profile?.certIssuers ?? []).map((o) => o.toLowerCase());
  const profileVouches = root.isBuiltInRoot && profileIssuers.includes(family);
  const familyKnown =
    profileVouches || baseline.certIssuers.includes(leaf.issuer) || baseline.certIssuers.some((issuer) => organisationOf(issuer) === family);
  const reason = !rootKnown && !root.isBuiltInRoot ? 'new-private-root' : !familyKnown ? 'new-ca-family' : undefined;

  const previous = baselineEvidence(baseline);
  const findings: Finding[] = [];
  if (reason) {
    findings.push(
      finding('cert.issuer-changed', reason === 'new-private-root' ? 'critical' : 'high', cert, {
        reason,
        previous,
        current: {
          root: root.subject,
          rootSha256: root.sha256,
          rootBuiltIn: root.isBuiltInRoot,
          issuer: leaf.issuer,
          issuerOrganisation: family,
          leafSpkiSha256: leaf.spkiSha256,
        },
        rootChanged: !rootKnown,
        profileIssuers: [...(ctx.site.profile?.certIssuers ?? [])],
      }, [root.sha256, leaf.issuer]),
    );
  }
  if (!baseline.certSpki.includes(leaf.spkiSha256) && (reason || (!rootKnown && !profileVouches))) {
    findings.push(
      finding('cert.key-changed', 'medium', cert, {
        previousSpki: [...baseline.certSpki],
        currentSpki: leaf.spkiSha256,
        issuerChanged: reason !== undefined,
        rootChanged: !rootKnown,
        previous,
      }, [leaf.spkiSha256]),
    );
  }
  return findings;
}

/** detectIssuerChange where the browser does not say whether the root is built in (Chrome): see judgeUnknownRoot. */
function unknownRootFindings(cert: CertObservation, ctx: DetectContext, baseline: Baseline): Finding[] {
  const change = judgeUnknownRoot(cert, baseline);
  const leaf = leafOf(cert);
  const root = rootOf(cert);
  if (!change || !leaf || !root) return [];
  const previous = baselineEvidence(baseline);
  const leafOnly = cert.chainScope === 'leaf';
  const findings = [
    finding('cert.issuer-changed', change.severity, cert, {
      reason: change.reason,
      previous,
      current: {
        root: leafOnly ? null : root.subject,
        rootSha256: leafOnly ? null : root.sha256,
        rootSpkiSha256: leafOnly ? null : root.spkiSha256,
        rootBuiltIn: null,
        issuer: leaf.issuer,
        issuerOrganisation: organisationOf(leaf.issuer),
        leafSpkiSha256: leaf.spkiSha256,
      },
      rootChanged: change.rootChanged,
      namesCopied: change.namesCopied,
      rootTrust: 'unknown',
      profileIssuers: [...(ctx.site.profile?.certIssuers ?? [])],
    }, [leafOnly ? 'leaf-only' : root.sha256, leaf.issuer]),
  ];
  if (change.leafKeyChanged) {
    findings.push(
      finding('cert.key-changed', 'medium', cert, {
        previousSpki: [...baseline.certSpki],
        currentSpki: leaf.spkiSha256,
        issuerChanged: true,
        rootChanged: change.rootChanged,
        previous,
      }, [leaf.spkiSha256]),
    );
  }
  return findings;
}

/**
 * cert.known-interceptor: a certificate anywhere in the chain (subject or issuer) carries the name
 * of a known interception product or authority (lib/core/interceptors.ts). State interception is
 * critical, the rest (corporate, antivirus, parental, adware, debugging proxies) high. A root the
 * user trusts for this host is their own choice (a company proxy they know about): still named,
 * at info level, never hidden.
 */
export function detectKnownInterceptor(cert: CertObservation, ctx: DetectContext): Finding[] {
  const root = rootOf(cert);
  if (!root) return [];
  const host = hostOf(cert.url);
  const userTrusted = ctx.trustedRoots.includes(root.sha256);
  return findInterceptors(cert.chain).map((match) => {
    const { interceptor } = match;
    const legitimateHere = interceptor.legitimateHosts?.test(host) === true;
    const severity: Severity = userTrusted ? 'info' : interceptor.category === 'state' && !legitimateHere ? 'critical' : 'high';
    return finding('cert.known-interceptor', severity, cert, {
      product: interceptor.actor,
      interceptorId: interceptor.id,
      category: interceptor.category,
      certainty: interceptor.certainty,
      source: interceptor.source,
      matchedCert: {
        position: match.position,
        role: roleOf(match.position, cert.chain.length),
        field: match.field,
        subject: match.cert.subject,
        issuer: match.cert.issuer,
        sha256: match.cert.sha256,
      },
      fingerprintMatches: match.fingerprintMatches,
      userTrustedRoot: userTrusted,
      ...(legitimateHere ? { note: 'this authority also serves some sites in this domain legitimately' } : {}),
    }, [interceptor.id, root.sha256, ...(userTrusted ? ['user-trusted'] : [])]);
  });
}

/** cert.expired: the leaf is past its notAfter or before its notBefore at the time of the visit. */
export function detectCertExpired(cert: CertObservation, _ctx: DetectContext, now: number): Finding[] {
  const leaf = leafOf(cert);
  if (!leaf || !Number.isFinite(leaf.notBefore) || !Number.isFinite(leaf.notAfter) || leaf.notAfter <= 0) return [];
  const expired = leaf.notAfter < now;
  const notYetValid = leaf.notBefore > now;
  if (!expired && !notYetValid) return [];
  return [finding('cert.expired', 'high', cert, { problem: expired ? 'expired' : 'not-yet-valid', checkedAt: isoDate(now) }, [leaf.sha256])];
}

const WEAK_HASHES = new Set(['md2', 'md4', 'md5', 'sha1']);
const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;

/** Why one certificate is weak, or nothing. A trust anchor's self-signature is not judged: nobody verifies it. */
export function weaknessesOf(cert: CertSummary, isTrustAnchor: boolean): string[] {
  const reasons: string[] = [];
  if (!isTrustAnchor && cert.signatureHash && WEAK_HASHES.has(cert.signatureHash)) reasons.push(`signature uses ${cert.signatureHash.toUpperCase()}`);
  if (cert.keyAlgorithm === 'rsa' && cert.keyBits !== undefined && cert.keyBits < MIN_RSA_BITS) reasons.push(`RSA key of ${cert.keyBits} bits`);
  if (cert.keyAlgorithm === 'ec' && cert.keyBits !== undefined && cert.keyBits < MIN_EC_BITS) reasons.push(`EC key of ${cert.keyBits} bits`);
  return reasons;
}

/**
 * cert.weak-signature: a certificate of the chain is signed with MD5/SHA-1 or carries an RSA key
 * under 2048 bits (or an EC key under 256). Public CAs stopped issuing these years ago; home-made
 * interception CAs still do. Needs the algorithms read from the DER (Firefox `rawDER`).
 */
export function detectWeakSignature(cert: CertObservation, _ctx: DetectContext): Finding[] {
  const last = cert.chain.length - 1;
  const weak = cert.chain
    .map((c, position) => ({ c, position, reasons: weaknessesOf(c, position === last && last > 0 && c.subject === c.issuer) }))
    .filter((w) => w.reasons.length > 0);
  const first = weak[0];
  if (!first) return [];
  return [
    finding('cert.weak-signature', 'high', cert, {
      weakCerts: weak.map(({ c, position, reasons }) => ({
        position,
        role: roleOf(position, cert.chain.length),
        subject: c.subject,
        sha256: c.sha256,
        signatureAlgorithm: c.signatureAlgorithm ?? null,
        keyAlgorithm: c.keyAlgorithm ?? null,
        keyBits: c.keyBits ?? null,
        reasons,
      })),
    }, [first.c.sha256]),
  ];
}

const CT_MISSING = new Set(['policy_not_enough_scts', 'policy_not_diverse_scts']);

/**
 * cert.ct-missing: Firefox says a chain to a built-in root lacks the Certificate Transparency
 * proofs its policy wants. Firefox reports "not_applicable" for private roots (where CT does not
 * apply, and cert.untrusted-root speaks instead), "policy_compliant", and "unknown" when CT was
 * not evaluated: all quiet. Where Firefox enforces CT, such a chain fails instead (cert.error).
 */
export function detectCtMissing(cert: CertObservation, _ctx: DetectContext): Finding[] {
  const root = rootOf(cert);
  const leaf = leafOf(cert);
  if (!root || !leaf || !root.isBuiltInRoot || !cert.certificateTransparencyStatus || !CT_MISSING.has(cert.certificateTransparencyStatus)) return [];
  return [finding('cert.ct-missing', 'medium', cert, { ctStatus: cert.certificateTransparencyStatus }, [leaf.sha256])];
}

/**
 * cert.error-bypassed: the response arrived although Firefox found the certificate invalid, i.e.
 * someone clicked through a certificate warning (Firefox then sets overridableErrorCategory and
 * one of isUntrusted / isDomainMismatch / isNotValidAtThisTime, and, in Firefox 153 at least,
 * reports an empty certificate chain), or the handshake itself reported an error (state "broken"). Critical: a warning on a mail or chat host is how interception shows.
 */
export function detectErrorBypassed(cert: CertObservation, _ctx: DetectContext): Finding[] {
  // Firefox shows no chain for a connection the user let through, so there may be no leaf.
  const leaf = leafOf(cert);
  const flags = {
    isUntrusted: cert.isUntrusted === true,
    isDomainMismatch: cert.isDomainMismatch === true,
    isNotValidAtThisTime: cert.isNotValidAtThisTime === true,
  };
  const overridden = cert.overridableErrorCategory !== undefined || Object.values(flags).some(Boolean);
  if (!overridden && cert.state !== 'broken') return [];
  const category =
    cert.overridableErrorCategory ??
    (flags.isUntrusted ? 'trust_error' : flags.isDomainMismatch ? 'domain_mismatch' : flags.isNotValidAtThisTime ? 'expired_or_not_yet_valid' : 'broken');
  return [
    finding('cert.error-bypassed', 'critical', cert, {
      overridableErrorCategory: cert.overridableErrorCategory ?? null,
      ...flags,
      errorMessage: cert.errorMessage ?? null,
      chainShown: leaf !== undefined,
    }, [category, leaf?.sha256 ?? 'no-chain']),
  ];
}

/** Every certificate check, in the order a reader should see them. */
export function detectCertificate(cert: CertObservation, ctx: DetectContext, now: number): Finding[] {
  return [
    ...detectUntrustedRoot(cert, ctx),
    ...detectKnownInterceptor(cert, ctx),
    ...detectIssuerChange(cert, ctx),
    ...detectErrorBypassed(cert, ctx),
    ...detectCertExpired(cert, ctx, now),
    ...detectWeakSignature(cert, ctx),
    ...detectCtMissing(cert, ctx),
  ];
}

/** Findings that make a chain evidence rather than the host's normal: such a chain is never learned. */
const NOT_LEARNED: ReadonlySet<RuleId> = new Set<RuleId>([
  'cert.untrusted-root',
  'cert.known-interceptor',
  'cert.error-bypassed',
  'cert.expired',
  'cert.weak-signature',
  'cert.ct-missing',
]);

/**
 * Whether a chain may join the host's baseline. Issuer and key changes under a trusted root are
 * learned (reported once; a service may really change CA), anything pointing at interception is not.
 * In Firefox every critical finding is already in NOT_LEARNED or comes with one, so the severity
 * test only changes what Chrome learns.
 */
export function chainIsLearnable(findings: readonly Finding[]): boolean {
  // A critical change (a copycat of the learned CA) must stay evidence, or the next visit would be quiet.
  return !findings.some((f) => (NOT_LEARNED.has(f.rule) && f.severity !== 'info') || f.severity === 'critical');
}
