import type { CertObservation } from '../../core/observations';
import type { MonitoredSite } from '../../core/sites';
import type { Recorded } from '../../store/incidents';
import { asRepeats, connectionKey, type JudgedCertificates } from '../cert-cache';

/** What `webRequest.getSecurityInfo` is asked for. */
export interface SecurityInfoOptions {
  certificateChain: true;
  rawDER?: true;
}

export interface CertificateOutcome {
  site?: MonitoredSite;
  recorded: Recorded[];
}

/** What every read asks for: the whole chain, with its DER for the signature and key algorithms. */
export const SECURITY_INFO_OPTIONS: SecurityInfoOptions = { certificateChain: true, rawDER: true };

/**
 * How Firefox's certificate listener reads and judges certificates without holding requests
 * (issue 18: ≤ 0.2 ms added per request on a mail page).
 *
 * Firefox answers `getSecurityInfo` only for a request that a blocking listener saw, and only
 * while the request is still there. Asked in the listener's own turn, it answers with the real
 * certificate even when the listener returns nothing and the request goes on at once: the call
 * reaches the parent process before the listener's answer does. Asked later (after an await), it
 * often finds the request gone. Measured in Firefox ESR 153 (docs/benchmarks.md, run 7): 690 of
 * 690 requests answered in the turn, with small and 3 MB bodies, 200 parallel requests and
 * websockets, also with the background busy for 100 ms; asked after a first answer came back,
 * 25 of 40 scripts and 63 of 400 fetches got nothing.
 *
 * So the listener asks in its turn, for everything a judgement needs (the chain and its DER: a
 * changed certificate on a new connection must be judged from its own request, a socket may make
 * no other), and returns nothing. Reading the chain without DER on connections already judged was
 * tried and dropped: it cost no measurably less, and left the algorithms out of the evidence of a
 * changed certificate.
 *
 * Each connection is judged once (lib/background/cert-cache.ts); the requests that arrive while
 * its judgement is under way share it.
 */
export function createCertificateReads(judged: JudgedCertificates) {
  // Judgements under way, so the parallel requests of a new connection share one.
  const judging = new Map<string, Promise<CertificateOutcome>>();

  return {
    /**
     * The outcome for one request's certificate: its connection's judgement if known (as
     * repeats), the judgement under way, or a new one by `judge`.
     */
    outcomeFor(cert: CertObservation, site: MonitoredSite, judge: () => Promise<CertificateOutcome>): Promise<CertificateOutcome> {
      const connection = connectionKey(cert);
      const known = judged.get(connection);
      if (known) return Promise.resolve({ site, recorded: [...known] });
      // A click-through has no chain and no connection key: its requests are judged one by one.
      if (connection === undefined) return judge();
      const under = judging.get(connection);
      if (under) return under.then((outcome) => ({ ...outcome, recorded: asRepeats(outcome.recorded) }));
      const judgement = judge()
        .then((outcome) => {
          // Judged (not skipped by the source limit): the connection needs no second look.
          if (outcome.site) judged.set(connection, outcome.recorded);
          return outcome;
        })
        .finally(() => judging.delete(connection));
      judging.set(connection, judgement);
      return judgement;
    },

    /** The settings changed: every connection is judged again. */
    clear(): void {
      judged.clear();
    },
  };
}

export type CertificateReads = ReturnType<typeof createCertificateReads>;
