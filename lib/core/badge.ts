import { severityRank, worstSeverity, type Severity } from './types';

export interface Badge {
  text: string;
  color: string;
}

/** Below this, an incident is in the log and the popup but does not mark the toolbar. */
export const BADGE_THRESHOLD: Severity = 'medium';

const COLORS: Record<Severity, string> = {
  info: '#5f6368',
  low: '#5f6368',
  medium: '#b06000',
  high: '#c5221f',
  critical: '#8b0000',
};

export function badgeFor(severities: Iterable<Severity>): Badge {
  const shown = [...severities].filter((s) => severityRank(s) >= severityRank(BADGE_THRESHOLD));
  const worst = worstSeverity(shown);
  if (!worst) return { text: '', color: COLORS.info };
  return { text: shown.length > 99 ? '99+' : String(shown.length), color: COLORS[worst] };
}
