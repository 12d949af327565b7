import type { CollectorState, OutboxRow, TapguardDb } from '../../store/db';
import { chainTable } from '../../store/log';
import { isMappableIncident } from '../../store/siem/evidence';
import { severityRank, type Incident } from '../../core/types';
import type { CollectorPolicy } from './policy';

// The rows' types live with the schema (lib/store/db.ts); re-exported for the collector's users.
export type { CollectorState, OutboxRow } from '../../store/db';

/**
 * The collector's queue, in IndexedDB so that a worker stopped at any moment loses nothing.
 *
 * The log itself says what is new: `fedUpTo` is the highest log id already looked at, and
 * `feedQueue` copies every later incident at or above the policy's severity into `outbox` in
 * the SAME transaction that moves `fedUpTo`. The recorder is untouched; whether the worker dies
 * after recording, after feeding or mid-request, the next wake-up finds the incident either
 * still ahead of `fedUpTo` or in the outbox. Rows leave the outbox only once the collector
 * accepted them (so a request cut off by a dying worker is sent again: at least once).
 *
 * The outbox holds copies, so retention or clearing the log cannot take a queued incident away.
 * It is bounded: beyond MAX_QUEUE the oldest rows are dropped (new evidence wins over old, as in
 * the log) and counted in `dropped`, which every event sent carries and the options page shows.
 */



export const MAX_QUEUE = 5000;
/** How long a queue outlives its policy; covers a browser that loads policy after the worker starts. */
export const WITHDRAWN_GRACE_MS = 10 * 60_000;
const FEED_PAGE = 500;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** 5 s, 10 s, 20 s … up to 10 minutes, less up to a fifth at random so a fleet does not retry in step. */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const full = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (1 - 0.2 * random()));
}

export function readCollectorState(db: TapguardDb): Promise<CollectorState | undefined> {
  return db.collectorState.get('collector');
}

/**
 * Moves new incidents from the log into the outbox. The first call under a policy only notes
 * where the log ends: the collector reports incidents from its configuration on, not the
 * history the user recorded before.
 */
export function feedQueue(db: TapguardDb, policy: CollectorPolicy, options: { maxQueue?: number } = {}): Promise<{ queued: number; dropped: number }> {
  const chain = chainTable(db);
  const maxQueue = options.maxQueue ?? MAX_QUEUE;
  return db.transaction('rw', chain, db.outbox, db.collectorState, async () => {
    const state = await readCollectorState(db);
    if (!state) {
      const last = await chain.orderBy(':id').last();
      await db.collectorState.put({ name: 'collector', fedUpTo: last?.id ?? 0, dropped: 0, failures: 0, nextAttemptAt: 0 });
      return { queued: 0, dropped: 0 };
    }
    const minimum = severityRank(policy.minSeverity);
    if (state.suspendedSince !== undefined) {
      const { suspendedSince: _back, ...resumed } = state;
      await db.collectorState.put(resumed);
      delete state.suspendedSince;
    }
    let fedUpTo = state.fedUpTo;
    let queued = 0;
    for (;;) {
      const page = await chain.where(':id').above(fedUpTo).limit(FEED_PAGE).toArray();
      if (page.length === 0) break;
      const rows = page.filter((r): r is Incident => isMappableIncident(r) && severityRank(r.severity) >= minimum).map((incident) => ({ incident }));
      if (rows.length) await db.outbox.bulkAdd(rows);
      queued += rows.length;
      fedUpTo = page[page.length - 1]!.id!;
      if (page.length < FEED_PAGE) break;
    }
    const excess = (await db.outbox.count()) - maxQueue;
    if (excess > 0) await db.outbox.bulkDelete(await db.outbox.orderBy(':id').limit(excess).primaryKeys());
    const dropped = Math.max(0, excess);
    if (fedUpTo !== state.fedUpTo || dropped) await db.collectorState.put({ ...state, fedUpTo, dropped: state.dropped + dropped });
    return { queued, dropped };
  });
}

/**
 * The next batch, oldest first: at most `size` rows, fewer while a refused record is being narrowed
 * down, and without a suspect (a record refused on its own), so the next record shows whether the
 * engine refuses that one record or everything. When the suspect is all there is, it is sent.
 */
export async function peekBatch(db: TapguardDb, size: number): Promise<OutboxRow[]> {
  const state = await readCollectorState(db);
  const limit = Math.max(1, Math.min(size, state?.batchLimit ?? size));
  const suspect = state?.suspect;
  if (suspect === undefined) return db.outbox.orderBy(':id').limit(limit).toArray();
  const others = await db.outbox.orderBy(':id').filter((row) => row.seq !== suspect).limit(limit).toArray();
  return others.length ? others : db.outbox.orderBy(':id').limit(limit).toArray();
}

/**
 * Rows delivered: out of the queue. A suspect held back meanwhile is now known to be refused for
 * itself (the next record went through), so it leaves the queue, counted in `refused` and named
 * in `lastRefused` (the settings page shows both); it stays in the log and in the evidence file.
 * A narrowed batch size grows back.
 */
export function acknowledge(db: TapguardDb, rows: readonly OutboxRow[], now: number, fullBatch: number = Number.MAX_SAFE_INTEGER): Promise<void> {
  return db.transaction('rw', db.outbox, db.collectorState, async () => {
    await db.outbox.bulkDelete(rows.map((r) => r.seq!));
    const state = await readCollectorState(db);
    if (!state) return;
    const { lastError, batchLimit, suspect, ...rest } = state;
    const delivered = rows.some((r) => r.seq === suspect);
    const poisoned = suspect !== undefined && !delivered ? await db.outbox.get(suspect) : undefined;
    if (poisoned) await db.outbox.delete(suspect!);
    const grown = batchLimit === undefined || batchLimit * 2 >= fullBatch ? {} : { batchLimit: batchLimit * 2 };
    const refusal = poisoned ? { refused: (rest.refused ?? 0) + 1, lastRefused: { ts: now, hash: poisoned.incident.hash, error: lastError?.message ?? 'refused' } } : {};
    await db.collectorState.put({ ...rest, ...grown, ...refusal, failures: 0, nextAttemptAt: 0, lastDelivery: { ts: now, count: rows.length } });
  });
}

/**
 * The engine refused what was sent (formats.ts `refused`): a batch is halved, and a record refused
 * on its own becomes the suspect, so the next record is tried at once. Returns `retry` to send
 * again now, or the time of the next attempt when the engine refuses more than one record (the
 * suspect and the record after it) or there is nothing else to try: then it backs off as for any
 * failure, since a collector that refuses everything is misconfigured, not fed bad records.
 */
export async function afterRefusal(db: TapguardDb, rows: readonly OutboxRow[], message: string, now: number, random?: () => number): Promise<'retry' | number> {
  const narrowed = await db.transaction('rw', db.outbox, db.collectorState, async () => {
    const state = await readCollectorState(db);
    if (!state) return false;
    const lastError = { ts: now, message: message.slice(0, 300) };
    if (state.suspect !== undefined) {
      const { suspect: _cleared, ...rest } = state;
      await db.collectorState.put({ ...rest, lastError });
      return false;
    }
    if (rows.length > 1) {
      await db.collectorState.put({ ...state, batchLimit: Math.ceil(rows.length / 2), lastError });
      return true;
    }
    if ((await db.outbox.count()) < 2) return false;
    await db.collectorState.put({ ...state, batchLimit: 1, suspect: rows[0]!.seq!, lastError });
    return true;
  });
  return narrowed ? 'retry' : recordFailure(db, message, now, random);
}

/** Notes a failed delivery; returns when to try again. */
export function recordFailure(db: TapguardDb, message: string, now: number, random?: () => number): Promise<number> {
  return db.transaction('rw', db.collectorState, async () => {
    const state = await readCollectorState(db);
    if (!state) return now;
    const failures = state.failures + 1;
    const nextAttemptAt = now + backoffMs(failures, random);
    await db.collectorState.put({ ...state, failures, nextAttemptAt, lastError: { ts: now, message: message.slice(0, 300) } });
    return nextAttemptAt;
  });
}

/**
 * No policy (now): nothing is sent. A queue is kept for WITHDRAWN_GRACE_MS, since at a browser's
 * start the policy may reach the extension a moment after its worker asked (Chromium); after
 * that the policy counts as withdrawn and the queue is deleted, so that a later policy starts
 * afresh instead of sending what was recorded while reporting was off.
 */
export function noteNoPolicy(db: TapguardDb, now: number): Promise<'none' | 'suspended' | 'forgotten'> {
  return db.transaction('rw', db.outbox, db.collectorState, async () => {
    const state = await readCollectorState(db);
    if (!state) return 'none';
    if (state.suspendedSince === undefined) {
      await db.collectorState.put({ ...state, suspendedSince: now });
      return 'suspended';
    }
    if (now - state.suspendedSince < WITHDRAWN_GRACE_MS) return 'suspended';
    await db.outbox.clear();
    await db.collectorState.clear();
    return 'forgotten';
  });
}

export interface CollectorStatus {
  queued: number;
  state?: CollectorState;
}

export async function collectorStatus(db: TapguardDb): Promise<CollectorStatus> {
  const [queued, state] = await Promise.all([db.outbox.count(), readCollectorState(db)]);
  return { queued, ...(state ? { state } : {}) };
}
