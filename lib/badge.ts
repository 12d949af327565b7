import type { Recorded } from './incidents';
import { severityRank, worstSeverity, type Severity } from './types';

export interface Badge {
  text: string;
  color: string;
}

/** Below this, an incident is in the log and the popup but does not mark the toolbar. */
const BADGE_THRESHOLD: Severity = 'medium';

const COLORS: Record<Severity, string> = {
  info: '#5f6368',
  low: '#5f6368',
  medium: '#b06000',
  high: '#c5221f',
  critical: '#8b0000',
};

/** What one tab's page has shown since its last navigation: dedupe key → severity. */
export type TabFindings = Map<string, Severity>;

export function addRecorded(tab: TabFindings, recorded: readonly Recorded[]): void {
  for (const r of recorded) {
    if (r.status === 'new') tab.set(r.incident.dedupeKey, r.incident.severity);
    else tab.set(r.dedupeKey, r.finding.severity);
  }
}

export function badgeFor(tab: TabFindings): Badge {
  const shown = [...tab.values()].filter((s) => severityRank(s) >= severityRank(BADGE_THRESHOLD));
  const worst = worstSeverity(shown);
  if (!worst) return { text: '', color: COLORS.info };
  return { text: shown.length > 99 ? '99+' : String(shown.length), color: COLORS[worst] };
}
