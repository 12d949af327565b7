import { browser } from '@/lib/browser';
import { capabilitiesOf } from '@/lib/ui/capabilities';
import { exportFileName } from '@/lib/store/file-name';
import type { ExportMeta } from '@/lib/store/export';
import type { BrowserFamily } from '@/lib/core/types';
import { ask } from '@/lib/ui/ask';
import type { ExportFormat } from '@/lib/ui-messages';

export type { ExportFormat };

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
 * Collects the export's chunks into a Blob: the background reads the log page by page and hands
 * it over in chunks of about 512 KB of text (lib/background/export-sessions.ts), and each chunk
 * becomes one Blob part, so the whole table is never held as records.
 */
export async function buildExport(format: ExportFormat): Promise<BuiltExport> {
  const meta = exportMeta();
  // Each chunk becomes a Blob at once, so the text can be collected and the browser may keep
  // the bytes out of the page's heap.
  const parts: Blob[] = [];
  let lines = 0;
  const { exportId } = await ask({ type: 'ui/export-start', format, meta });
  for (let done = false; !done; ) {
    const next = await ask({ type: 'ui/export-next', exportId });
    done = next.done;
    const chunk = next.chunk;
    if (chunk) parts.push(new Blob([chunk]));
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
