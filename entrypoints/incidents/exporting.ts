import { browser } from '@/lib/browser';
import { capabilitiesOf } from '@/lib/ui/capabilities';
import type { TapguardDb } from '@/lib/store/db';
import { exportCsv, exportFileName, exportJsonl, type ExportMeta } from '@/lib/store/export';
import { exportSiem } from '@/lib/store/siem/export';
import type { BrowserFamily } from '@/lib/core/types';

export type ExportFormat = 'jsonl' | 'csv' | 'ocsf' | 'ecs';

export interface BuiltExport {
  blob: Blob;
  name: string;
  records: number;
}

export function browserFamily(): BrowserFamily {
  return import.meta.env.FIREFOX ? 'firefox' : 'chrome';
}

/** "Firefox/140.0", as the background stamps incidents. */
export function browserLabel(): string {
  return navigator.userAgent.match(/(Firefox|Chrome)\/[\d.]+/)?.[0] ?? browserFamily();
}

export function exportMeta(now = new Date()): ExportMeta {
  const family = browserFamily();
  return {
    tapguardVersion: browser.runtime.getManifest().version,
    browser: browserLabel(),
    checks: capabilitiesOf(family).map(({ check, available }) => ({ check, available })),
    exportedAt: now.toISOString(),
  };
}

/**
 * Collects the export's chunks into a Blob: the log is read page by page (1000 records), and each
 * page's text becomes one Blob part, so the whole table is never held as records.
 */
export async function buildExport(db: TapguardDb, format: ExportFormat): Promise<BuiltExport> {
  const meta = exportMeta();
  // Each chunk becomes a Blob at once, so the text can be collected and the browser may keep
  // the bytes out of the page's heap.
  const parts: Blob[] = [];
  let lines = 0;
  for await (const chunk of exportChunks(db, format, meta)) {
    parts.push(new Blob([chunk]));
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
  }
  const { type, extension, headerLines } = FILE_KINDS[format];
  return {
    blob: new Blob(parts, { type: `${type};charset=utf-8` }),
    name: exportFileName(extension, browserFamily(), meta.exportedAt),
    records: lines - headerLines,
  };
}

// The JSONL header and the CSV column names are one line that is not a record; the SIEM files have none.
const FILE_KINDS = {
  jsonl: { type: 'application/x-ndjson', extension: 'jsonl', headerLines: 1 },
  csv: { type: 'text/csv', extension: 'csv', headerLines: 1 },
  ocsf: { type: 'application/x-ndjson', extension: 'ocsf.jsonl', headerLines: 0 },
  ecs: { type: 'application/x-ndjson', extension: 'ecs.ndjson', headerLines: 0 },
} as const;

function exportChunks(db: TapguardDb, format: ExportFormat, meta: ExportMeta): AsyncGenerator<string> {
  if (format === 'jsonl') return exportJsonl(db, meta);
  if (format === 'csv') return exportCsv(db);
  return exportSiem(db, format, { tapguardVersion: meta.tapguardVersion });
}
