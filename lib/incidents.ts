import type { TapguardDb } from './db';
import { canonicalJson, sha256Hex } from './hash';
import { describe } from './rules';
import { kindOfRule, type Finding, type Incident } from './types';
import { sanitiseUrl } from './url';

export const GENESIS_HASH = '0'.repeat(64);

export type Recorded =
  | { status: 'new'; incident: Incident }
  | { status: 'repeat'; dedupeKey: string; count: number; incidentId: number; finding: Finding };

export function dedupeKeyOf(finding: Finding): string {
  return [finding.rule, finding.host, ...finding.dedupeParts].join('|');
}

/** The hash covers everything but `id` (assigned by the store) and `hash` itself. */
export function hashIncident(incident: Omit<Incident, 'id' | 'hash'> & { id?: number; hash?: string }): string {
  const { id: _id, hash: _hash, ...content } = incident;
  return sha256Hex(incident.prevHash + canonicalJson(content));
}

export function toIncident(finding: Finding, ts: number, browser: string, prevHash: string): Incident {
  const { title, advice } = describe(finding.rule, finding.host);
  const unchained = {
    ts,
    kind: kindOfRule(finding.rule),
    rule: finding.rule,
    severity: finding.severity,
    host: finding.host,
    url: sanitiseUrl(finding.url),
    browser,
    title,
    advice,
    evidence: finding.evidence,
    dedupeKey: dedupeKeyOf(finding),
    prevHash,
  };
  return { ...unchained, hash: hashIncident(unchained) };
}

export interface Recorder {
  record(findings: readonly Finding[]): Promise<Recorded[]>;
}

/**
 * Appends findings to the chain. Each batch runs in one read-write transaction that reads the
 * chain head and appends after it; IndexedDB serialises such transactions, so two writers (or a
 * worker restarted mid-stream) can never fork the chain.
 */
export function createRecorder(db: TapguardDb, options: { browser: string; now?: () => number }): Recorder {
  const now = options.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();

  const write = (findings: readonly Finding[]) =>
    db.transaction('rw', db.incidents, db.occurrences, async () => {
      const results: Recorded[] = [];
      let head = (await db.incidents.orderBy('id').last())?.hash ?? GENESIS_HASH;
      for (const finding of findings) {
        const ts = now();
        const dedupeKey = dedupeKeyOf(finding);
        const seen = await db.occurrences.get(dedupeKey);
        if (seen) {
          const count = seen.count + 1;
          await db.occurrences.update(dedupeKey, { count, lastTs: ts });
          results.push({ status: 'repeat', dedupeKey, count, incidentId: seen.incidentId, finding });
          continue;
        }
        const incident = toIncident(finding, ts, options.browser, head);
        const id = (await db.incidents.add(incident)) as number;
        await db.occurrences.add({ dedupeKey, incidentId: id, host: finding.host, count: 1, firstTs: ts, lastTs: ts });
        head = incident.hash;
        results.push({ status: 'new', incident: { ...incident, id } });
      }
      return results;
    });

  return {
    record(findings) {
      if (findings.length === 0) return Promise.resolve([]);
      const result = queue.then(() => write(findings));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
