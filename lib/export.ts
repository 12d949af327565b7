import { GENESIS_HASH, hashIncident } from './incidents';
import type { Incident } from './types';

export type ChainCheck = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

/**
 * Recomputes the hash chain. The first record may follow a pruned prefix (retention), so its
 * prevHash is taken as given; every later link must match, and every hash must recompute.
 */
export function verifyChain(incidents: Iterable<Incident>): ChainCheck {
  let prev: string | undefined;
  let index = 0;
  for (const incident of incidents) {
    if (prev !== undefined && incident.prevHash !== prev)
      return { ok: false, count: index, brokenAt: index, reason: 'prevHash does not match the previous record' };
    if (hashIncident(incident) !== incident.hash)
      return { ok: false, count: index, brokenAt: index, reason: 'hash does not match the record content' };
    prev = incident.hash;
    index++;
  }
  return { ok: true, count: index };
}

export { GENESIS_HASH };
