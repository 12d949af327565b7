import { adjustIncidentTally, type TapguardDb } from './db';
import { canonicalJson, sha256Hex } from '../core/hash';
import { applyRetention, emergencyTrim, type RetentionLimits } from './retention';
import { describe } from '../core/rules';
import { loadSettings } from './settings';
import { kindOfRule, severityRank, type Finding, type Incident } from '../core/types';
import { sanitiseUrl } from '../core/url';

export const GENESIS_HASH = '0'.repeat(64);

export { EMERGENCY_TRIM_INTERVAL_MS } from './retention';

export type Recorded =
  | { status: 'new'; incident: Incident }
  | { status: 'repeat'; dedupeKey: string; count: number; incidentId: number; finding: Finding };

export function dedupeKeyOf(finding: Pick<Finding, 'rule' | 'host' | 'dedupeParts'>): string {
  return [finding.rule, finding.host, ...finding.dedupeParts].join('|');
}

/**
 * The hash covers everything but `id` (assigned by the store) and `hash` itself. Generic so that
 * it hashes any chain record (incidents and lib/store/log.ts markers) and, in the verifier, whatever a
 * file holds.
 */
export function hashIncident<T extends { prevHash: string; id?: number; hash?: string }>(incident: T): string {
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
// eslint-disable-next-line max-lines-per-function -- one closure: the batching queue, the chain-append transaction and its storage-full retry share db, clock and the waiting calls
export function createRecorder(
  db: TapguardDb,
  options: { browser: string; now?: () => number; retention?: () => Promise<RetentionLimits> },
): Recorder {
  const now = options.now ?? Date.now;
  const retention = options.retention ?? loadSettings;

  const write = (findings: readonly Finding[]) =>
    db.transaction('rw', db.incidents, db.occurrences, db.tallies, async () => {
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
      await adjustIncidentTally(db, results.filter((r) => r.status === 'new').length);
      return results;
    });

  /**
   * A full quota must not cost the newest evidence: apply retention (or, if that frees nothing,
   * the emergency trim of lib/store/retention.ts: low and medium records first, at most once per
   * EMERGENCY_TRIM_INTERVAL_MS, across worker restarts) and try once more.
   */
  const retryAfterQuota = async (error: unknown, findings: readonly Finding[]) => {
    if (!isQuotaError(error)) throw error;
    try {
      const freed = await applyRetention(db, await retention(), now(), { browser: options.browser });
      const forSevere = findings.some((f) => severityRank(f.severity) >= severityRank('high'));
      if (freed.deleted === 0) await emergencyTrim(db, { now: now(), forSevere, browser: options.browser });
    } catch (trimError) {
      console.error('tapguard: could not trim the full incident log', trimError);
    }
    try {
      return await write(findings);
    } catch (again) {
      // Rules only: a finding's raw URL may carry message ids and is never logged.
      console.error(`tapguard: storage is full; not recorded: ${findings.map((f) => f.rule).join(', ')}`, again);
      throw again;
    }
  };

  // Calls that arrive while a transaction runs are written together in the next one: a page that
  // yields many findings at once costs one transaction, not one per message (IndexedDB commits
  // cost milliseconds each in Chrome).
  const waiting: Array<{ findings: readonly Finding[]; resolve(r: Recorded[]): void; reject(e: unknown): void }> = [];
  let draining = false;
  const drain = async () => {
    draining = true;
    while (waiting.length) {
      const batch = waiting.splice(0, MAX_BATCH_CALLS);
      const findings = batch.flatMap((call) => call.findings);
      try {
        const results = await write(findings).catch((error: unknown) => retryAfterQuota(error, findings));
        let offset = 0;
        for (const call of batch) {
          call.resolve(results.slice(offset, offset + call.findings.length));
          offset += call.findings.length;
        }
      } catch (error) {
        for (const call of batch) call.reject(error);
      }
    }
    draining = false;
  };

  return {
    record(findings) {
      if (findings.length === 0) return Promise.resolve([]);
      return new Promise<Recorded[]>((resolve, reject) => {
        waiting.push({ findings, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}

/** Calls merged into one transaction at most; bounds the work a single commit does. */
const MAX_BATCH_CALLS = 200;

/** Dexie wraps IndexedDB's error (an aborted transaction's `inner`), so look a few levels down. */
export function isQuotaError(error: unknown): boolean {
  let e = error;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    if ((e as { name?: unknown }).name === 'QuotaExceededError') return true;
    e = (e as { inner?: unknown }).inner;
  }
  return false;
}

/** Incidents worth interrupting the user for: new (not repeats) and critical. */
export function newCriticalIncidents(recorded: readonly Recorded[]): Incident[] {
  return recorded.flatMap((r) => (r.status === 'new' && r.incident.severity === 'critical' ? [r.incident] : []));
}
