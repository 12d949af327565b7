import type { TapguardDb } from '../../store/db';
import { buildRequest, wasDelivered, type Delivery } from './formats';
import type { CollectorPolicy } from './policy';
import { acknowledge, afterRefusal, feedQueue, noteNoPolicy, peekBatch, readCollectorState, recordFailure } from './queue';

export interface CollectorDeps {
  db: TapguardDb;
  /** The policy in force (lib/background/collector/policy.ts); undefined means: never send anything. */
  loadPolicy: () => Promise<CollectorPolicy | undefined>;
  fetch: typeof fetch;
  now: () => number;
  tapguardVersion: string;
  /** Wake the collector at this time even if the worker was stopped meanwhile (an alarm). */
  wakeAt: (at: number) => void;
  /** Nothing left to send: the wake-up is no longer needed. */
  idle: () => void;
  random?: () => number;
  batchSize?: number;
}

export const BATCH_SIZE = 200;
const REQUEST_TIMEOUT_MS = 30_000;
// Set before each request: if the worker dies during it, this alarm brings the batch back.
const WATCHDOG_MS = 60_000;

/**
 * Feeds the queue from the log and sends it in batches, one at a time, oldest first; on a failure
 * it stops and asks to be woken after the backoff. `wake` is safe to call at any time and as often
 * as wanted (after each recording, on an alarm, at worker start): calls during a run make one more
 * run, never two at once.
 */
// eslint-disable-next-line max-lines-per-function -- one closure: sendOne and the run loop share the cached policy and the single `running` run; each inner function is short
export function createCollector(deps: CollectorDeps) {
  const batchSize = deps.batchSize ?? BATCH_SIZE;
  let policy: Promise<CollectorPolicy | undefined> | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const sendOne = async (current: CollectorPolicy): Promise<'sent' | 'empty' | 'failed' | 'waiting'> => {
    const state = await readCollectorState(deps.db);
    if (!state) return 'empty';
    if (deps.now() < state.nextAttemptAt) {
      deps.wakeAt(state.nextAttemptAt);
      return 'waiting';
    }
    const rows = await peekBatch(deps.db, batchSize);
    if (rows.length === 0) return 'empty';
    deps.wakeAt(deps.now() + WATCHDOG_MS);
    let outcome: Delivery;
    try {
      const request = buildRequest(current, rows.map((r) => r.incident), { tapguardVersion: deps.tapguardVersion, dropped: state.dropped });
      const response = await deps.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      outcome = await wasDelivered(current, response);
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    if (outcome.ok) {
      await acknowledge(deps.db, rows, deps.now(), batchSize);
      return 'sent';
    }
    const next = outcome.refused ? await afterRefusal(deps.db, rows, outcome.error, deps.now(), deps.random) : await recordFailure(deps.db, outcome.error, deps.now(), deps.random);
    if (next === 'retry') return 'sent';
    deps.wakeAt(next);
    return 'failed';
  };

  const run = async () => {
    const current = await (policy ??= deps.loadPolicy());
    if (!current) {
      // No request, ever; a queue left from a withdrawn policy is deleted after a grace period.
      await noteNoPolicy(deps.db, deps.now());
      deps.idle();
      return;
    }
    await feedQueue(deps.db, current);
    for (;;) {
      const result = await sendOne(current);
      if (result === 'empty') deps.idle();
      if (result !== 'sent') return;
    }
  };

  return {
    wake(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await run();
        } while (again);
      })().finally(() => (running = undefined));
      return running;
    },
    /** The managed policy may have changed: read it again at the next wake. */
    policyChanged(): void {
      policy = undefined;
    },
  };
}
