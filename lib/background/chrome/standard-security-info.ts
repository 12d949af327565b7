import { bytesToHex, sha256 } from '../../core/sha256';
import type { CertObservation } from '../../core/observations';
import { certSummaryFromBytes } from './security-details';

/**
 * The `securityInfo` that w3c/webextensions#882 proposes for webRequest.onHeadersReceived
 * (proposals/security_info_web_request.md): the server's leaf certificate only, its SHA-256
 * fingerprint, its DER when the listener asked for "securityInfoRawDer", and the connection
 * state. No chain, no root, no protocol or cipher.
 */
export interface ProposedSecurityInfo {
  state: 'secure' | 'insecure' | 'broken';
  certificates: Array<{ fingerprint: { sha256: string }; rawDER?: ArrayLike<number> }>;
}

/** The extraInfoSpec values the proposal adds; a browser without them refuses the listener. */
export const SECURITY_INFO_SPEC = ['securityInfoRawDer'] as const;

const STATES = new Set(['secure', 'insecure', 'broken']);

/** Whether a listener's details carry the proposed shape (validated: it is the browser's, but unknown). */
export function proposedSecurityInfoOf(details: unknown): ProposedSecurityInfo | undefined {
  const info = (details as { securityInfo?: unknown } | null)?.securityInfo as Partial<ProposedSecurityInfo> | undefined;
  if (!info || typeof info !== 'object' || !STATES.has(info.state as string) || !Array.isArray(info.certificates)) return undefined;
  const valid = info.certificates.every((c) => typeof c?.fingerprint?.sha256 === 'string' && (c.rawDER === undefined || typeof c.rawDER.length === 'number'));
  return valid ? (info as ProposedSecurityInfo) : undefined;
}

/** Fingerprints as hex without separators, whichever form (hex with colons, base64) the browser picks. */
function normalisedFingerprint(text: string): string {
  const hex = text.replace(/:/g, '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  try {
    return bytesToHex(Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0)));
  } catch {
    return '';
  }
}

/**
 * A leaf-only observation (chainScope 'leaf', root trust unknown) from the proposed securityInfo,
 * judged for issuer and key changes like Chrome deep inspection, without the debugger. Nothing
 * without the leaf's DER (a fingerprint alone names no issuer or key), nothing for plain http, and
 * nothing when the DER does not hash to the fingerprint the browser gave.
 */
export function certObservationFromProposedSecurityInfo(
  request: { url: string; type: string },
  info: ProposedSecurityInfo,
): CertObservation | undefined {
  const leaf = info.certificates[0];
  if (info.state === 'insecure' || !leaf?.rawDER) return undefined;
  const der = Uint8Array.from(leaf.rawDER);
  if (bytesToHex(sha256(der)) !== normalisedFingerprint(leaf.fingerprint.sha256)) return undefined;
  const summary = certSummaryFromBytes(der);
  if (!summary) return undefined;
  return {
    url: request.url,
    resourceType: request.type,
    state: info.state,
    rootTrustKnown: false,
    chainScope: 'leaf',
    source: 'webrequest',
    chain: [summary],
  };
}

/** The slice of webRequest.onHeadersReceived this needs. */
export interface HeadersReceivedEvent {
  addListener(listener: (details: { url: string; type: string; tabId: number }) => void, filter: object, extraInfoSpec: string[]): void;
}

/**
 * Feature detection, twice: a browser that does not know "securityInfoRawDer" throws when the
 * listener is added (then this returns false), and one that accepts the name may still send no
 * `securityInfo` (Chromium 156 does so, measured), so every event is judged only if it carries one.
 */
export function listenForSecurityInfo(
  event: HeadersReceivedEvent,
  filter: object,
  onCertificate: (tabId: number, cert: CertObservation) => void,
): boolean {
  try {
    event.addListener(
      (details) => {
        const info = proposedSecurityInfoOf(details);
        const cert = info && certObservationFromProposedSecurityInfo(details, info);
        if (cert) onCertificate(details.tabId, cert);
      },
      filter,
      [...SECURITY_INFO_SPEC],
    );
    return true;
  } catch {
    return false;
  }
}
