import { openDb, type TapguardDb } from '@/lib/store/db';
import { createRecorder } from '@/lib/store/incidents';
import type { Finding, RuleId, Severity } from '@/lib/core/types';

let n = 0;
export function freshDb(): TapguardDb {
  return openDb(`log-test-${n++}-${Math.random().toString(36).slice(2)}`);
}

export function finding(i: number, patch: Partial<Finding> = {}): Finding {
  return {
    rule: 'script.new-origin',
    severity: 'high',
    host: 'mail.example.org',
    url: `https://mail.example.org/?_uid=${i}#secret`,
    evidence: { scriptOrigin: `https://evil${i}.example`, note: 'quote " comma , newline \n unicode é ✓' },
    dedupeParts: [`origin-${i}`],
    ...patch,
  };
}

const ROTATION: Array<{ rule: RuleId; severity: Severity; host: string }> = [
  { rule: 'script.new-origin', severity: 'high', host: 'mail.example.org' },
  { rule: 'tls.http-page', severity: 'critical', host: 'chat.example.org' },
  { rule: 'cert.untrusted-root', severity: 'critical', host: 'mail.example.org' },
  { rule: 'tls.mixed-content', severity: 'low', host: 'chat.example.org' },
];

/** Records `count` distinct incidents, one per `stepMs` from `start`, rotating rules and hosts. */
export async function seed(db: TapguardDb, count: number, options: { start?: number; stepMs?: number; varied?: boolean; patch?: Partial<Finding> } = {}) {
  let ts = (options.start ?? Date.UTC(2026, 0, 1)) - (options.stepMs ?? 60_000);
  const recorder = createRecorder(db, { browser: 'Firefox/140.0', now: () => (ts += options.stepMs ?? 60_000) });
  const findings = Array.from({ length: count }, (_, i) => finding(i, options.varied ? ROTATION[i % ROTATION.length] : (options.patch ?? {})));
  for (let i = 0; i < findings.length; i += 500) await recorder.record(findings.slice(i, i + 500));
  return recorder;
}

export async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}
