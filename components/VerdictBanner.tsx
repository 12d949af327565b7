import type { Verdict } from '@/lib/ui/verdict';

/** Drawn, not typed: emoji fonts are missing on many Linux desktops, and colour alone is not enough. */
function VerdictIcon({ level }: { level: Verdict['level'] }) {
  const common = { width: 20, height: 20, viewBox: '0 0 20 20', 'aria-hidden': true as const, class: 'verdict-icon' };
  switch (level) {
    case 'clear':
      return (
        <svg {...common}>
          <circle cx="10" cy="10" r="9" fill="currentColor" />
          <path d="M5.5 10.5l3 3 6-7" stroke="white" stroke-width="2.2" fill="none" />
        </svg>
      );
    case 'warning':
      return (
        <svg {...common}>
          <path d="M10 1.5L19 18H1z" fill="currentColor" />
          <path d="M10 7v5.5M10 14.5v1.5" stroke="white" stroke-width="2.2" />
        </svg>
      );
    case 'danger':
      return (
        <svg {...common}>
          <path d="M6 1h8l5 5v8l-5 5H6l-5-5V6z" fill="currentColor" />
          <path d="M6.5 6.5l7 7M13.5 6.5l-7 7" stroke="white" stroke-width="2.2" />
        </svg>
      );
    default:
      return (
        <svg {...common}>
          <circle cx="10" cy="10" r="8" stroke="currentColor" stroke-width="2" fill="none" />
        </svg>
      );
  }
}

export function VerdictBanner({ verdict }: { verdict: Verdict }) {
  return (
    <div class={`verdict verdict-${verdict.level}`} role="status" data-level={verdict.level}>
      <VerdictIcon level={verdict.level} />
      <span class="verdict-text">{verdict.headline}</span>
    </div>
  );
}
