import type { EventRecord } from '../core/events';
import type { Incident } from '../core/types';

/**
 * A chain record that is not an incident: it notes something done to the log itself (today only
 * "the log was cleared"). It lives in the `incidents` table so that it is hashed into the chain
 * like any incident, but it has `kind: 'meta'`, no host and `info` severity, so nothing that asks
 * about a host (popup, verdict, badge, incidentsForHost) can ever see it. Code that reads the
 * whole table (the log page, exports) uses `ChainRecord` and `isLogMarker` (and `isEventRecord`).
 */
export type LogMarker = Omit<Incident, 'kind' | 'rule' | 'severity' | 'host' | 'url'> & {
  kind: 'meta';
  /** The log was cleared; retention removed low and medium records to make room (lib/store/retention.ts). */
  rule: 'meta.log-cleared' | 'meta.records-removed';
  severity: 'info';
  host: '';
  url: '';
};

/** Events (lib/core/events.ts, `kind: 'event'`) are chain records too: they tell what findings share a cause. */
export type ChainRecord = Incident | LogMarker | EventRecord;

export const MARKER_KIND = 'meta';

export function isLogMarker(record: Pick<ChainRecord, 'kind'>): record is LogMarker {
  return record.kind === MARKER_KIND;
}

