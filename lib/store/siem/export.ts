import type { TapguardDb } from '../db';
import { prefetched, readChain } from '../export';
import { chainTable } from '../log';
import type { Incident } from '../../core/types';
import { toEcsDocument } from './ecs';
import { isMappableIncident } from './evidence';
import { toOcsfFinding } from './ocsf';

/**
 * The SIEM exports: OCSF Detection Findings as JSON Lines, ECS documents as NDJSON. One line per
 * incident, oldest first, read page by page like the JSONL evidence file and up to the record
 * that was last when the export began. No header line: a SIEM ingests every line as an event.
 * Log markers (kind `meta`) and records of kinds this version does not know are left out: they are
 * not detections, and the JSONL evidence file keeps them. Each line carries the record's hash and
 * prevHash, so a SIEM copy can be matched against the evidence file.
 */
export type SiemFormat = 'ocsf' | 'ecs';

export interface SiemExportOptions {
  tapguardVersion: string;
  device?: string;
  pageSize?: number;
}

export function siemLine(format: SiemFormat, incident: Incident, options: SiemExportOptions): string {
  const producer = { tapguardVersion: options.tapguardVersion, ...(options.device ? { device: options.device } : {}) };
  return JSON.stringify(format === 'ocsf' ? toOcsfFinding(incident, producer) : toEcsDocument(incident, producer));
}

export async function* exportSiem(db: TapguardDb, format: SiemFormat, options: SiemExportOptions): AsyncGenerator<string> {
  const last = await chainTable(db).orderBy(':id').last();
  if (last?.id === undefined) return;
  for await (const page of prefetched(readChain(db, { ...(options.pageSize ? { pageSize: options.pageSize } : {}), upToId: last.id }))) {
    let text = '';
    for (const record of page) if (isMappableIncident(record)) text += `${siemLine(format, record, options)}\n`;
    if (text) yield text;
  }
}
