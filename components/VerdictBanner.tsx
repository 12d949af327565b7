import type { Verdict } from '@/lib/verdict';

const ICONS: Record<Verdict['level'], string> = {
  'not-monitored': '○',
  clear: '✓',
  warning: '⚠',
  danger: '⛔',
};

export function VerdictBanner({ verdict }: { verdict: Verdict }) {
  return (
    <div class={`verdict verdict-${verdict.level}`} role="status" data-level={verdict.level}>
      <span class="verdict-icon" aria-hidden="true">
        {ICONS[verdict.level]}
      </span>
      <span class="verdict-text">{verdict.headline}</span>
    </div>
  );
}
