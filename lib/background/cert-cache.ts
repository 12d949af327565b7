import type { Recorded } from '../store/incidents';
import type { CertObservation } from '../core/observations';
import { hostOf } from '../core/url';

/**
 * Certificates are judged once per connection, not per request: a chat opens hundreds of requests
 * over one connection, and each would read the same chain. A connection is known by its host,
 * leaf fingerprint, protocol and cipher, so a changed certificate on the same host (an
 * interceptor switched on mid-session), or a downgraded handshake, is judged again.
 *
 * What the judgement recorded is kept with it, so that another tab on the same connection still
 * shows it in its verdict; it is shown again as repeats, so nothing is notified twice. In memory
 * only (it holds no evidence that is not in the log); cleared when settings change, since a root
 * the user trusts since changes the judgement.
 */
export function connectionKey(cert: CertObservation): string | undefined {
  const leaf = cert.chain[0]?.sha256;
  return leaf ? [hostOf(cert.url), leaf, cert.protocolVersion ?? '', cert.cipherSuite ?? '', cert.state].join('|') : undefined;
}

/** What a judgement recorded, as repeats: for a tab's verdict, never for a second notification. */
export function asRepeats(recorded: readonly Recorded[]): Recorded[] {
  return recorded.map((r) =>
    r.status === 'repeat'
      ? r
      : {
          status: 'repeat',
          dedupeKey: r.incident.dedupeKey,
          count: 0,
          incidentId: r.incident.id ?? 0,
          finding: { rule: r.incident.rule, severity: r.incident.severity, host: r.incident.host, url: r.incident.url, evidence: {}, dedupeParts: [] },
        },
  );
}

export function createJudgedCertificates(capacity = 2000) {
  const judged = new Map<string, Recorded[]>();
  return {
    get(key: string | undefined): Recorded[] | undefined {
      return key === undefined ? undefined : judged.get(key);
    },
    set(key: string | undefined, recorded: readonly Recorded[]): void {
      if (key === undefined) return;
      if (judged.size >= capacity) judged.clear();
      judged.set(key, asRepeats(recorded));
    },
    clear(): void {
      judged.clear();
    },
  };
}

/** The judged-connection cache, as lib/background/firefox/certificate-reads.ts uses it. */
export type JudgedCertificates = ReturnType<typeof createJudgedCertificates>;
