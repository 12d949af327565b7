import { browser } from '@/lib/browser';
import { capabilitiesOf } from '@/lib/capabilities';
import type { TapguardDb } from '@/lib/db';
import { exportCsv, exportFileName, exportJsonl, type ExportMeta } from '@/lib/export';
import type { BrowserFamily } from '@/lib/types';

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
export async function buildExport(db: TapguardDb, format: 'jsonl' | 'csv'): Promise<BuiltExport> {
  const meta = exportMeta();
  // Each chunk becomes a Blob at once, so the text can be collected and the browser may keep
  // the bytes out of the page's heap.
  const parts: Blob[] = [];
  let lines = 0;
  for await (const chunk of format === 'jsonl' ? exportJsonl(db, meta) : exportCsv(db)) {
    parts.push(new Blob([chunk]));
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
  }
  const type = format === 'jsonl' ? 'application/x-ndjson' : 'text/csv';
  // Both formats start with one line that is not a record (the JSONL header, the CSV column names).
  return { blob: new Blob(parts, { type: `${type};charset=utf-8` }), name: exportFileName(format, browserFamily(), meta.exportedAt), records: lines - 1 };
}
