/** e.g. `tapguard-incidents-chrome-2026-05-01T12-00-00Z.jsonl`: the CSV's only context, too. */
export function exportFileName(format: 'jsonl' | 'csv' | 'ocsf.jsonl' | 'ecs.ndjson', browserFamily: string, exportedAt: string): string {
  const when = exportedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const family = browserFamily.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `tapguard-incidents-${family}-${when}.${format}`;
}
