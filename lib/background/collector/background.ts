import { browser } from '../../browser';
import type { TapguardDb } from '../../store/db';
import type { Recorder } from '../../store/incidents';
import { createCollector } from './collector';
import { loadCollectorPolicy } from './policy';

export const COLLECTOR_ALARM = 'tapguard-collector';

/**
 * Wires the collector to the background: an alarm (which wakes a stopped MV3 worker, or Firefox's
 * event page) for retries and for a request cut off by the worker's end, a timer for retries due
 * while the background still runs, a wake-up at every start and whenever the policy changes, and
 * one after every recording that added incidents. Call it in the background's first turn: the
 * alarm listener must exist before the event that woke the worker is delivered.
 */
export function startCollector(db: TapguardDb, report: (what: string) => (error: unknown) => void) {
  const alarms = browser.alarms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const collector = createCollector({
    db,
    loadPolicy: loadCollectorPolicy,
    fetch: (...args) => fetch(...args),
    now: Date.now,
    tapguardVersion: browser.runtime.getManifest().version,
    wakeAt: (at) => {
      clearTimeout(timer);
      timer = setTimeout(wake, Math.max(0, at - Date.now()));
      void alarms?.create(COLLECTOR_ALARM, { when: at })?.catch(report('collector alarm'));
    },
    idle: () => {
      clearTimeout(timer);
      void alarms?.clear(COLLECTOR_ALARM)?.catch(report('collector alarm'));
    },
  });
  const wake = () => void collector.wake().catch(report('collector'));
  alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === COLLECTOR_ALARM) wake();
  });
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area !== 'managed') return;
    collector.policyChanged();
    wake();
  });
  wake();

  return {
    /** The recorder, with a wake-up after every call that added incidents (not after repeats). */
    feeding(recorder: Recorder): Recorder {
      return {
        async record(findings) {
          const recorded = await recorder.record(findings);
          if (recorded.some((r) => r.status === 'new')) wake();
          return recorded;
        },
      };
    },
  };
}
