import type { MonitoredSite } from './sites';
import { severityRank, worstSeverity, type Incident } from './types';

export type VerdictLevel = 'not-monitored' | 'clear' | 'warning' | 'danger';

export interface Verdict {
  level: VerdictLevel;
  headline: string;
}

/** The popup's one-line answer to "is it safe to keep typing here?", from what this page showed. */
export function verdictFor(host: string, site: MonitoredSite | undefined, incidents: readonly Pick<Incident, 'severity'>[]): Verdict {
  if (!site) return { level: 'not-monitored', headline: `${host || 'This page'} is not a mail or chat page tapguard watches.` };
  const worst = worstSeverity(incidents.map((i) => i.severity));
  if (!worst || severityRank(worst) < severityRank('medium'))
    return { level: 'clear', headline: `Nothing suspicious seen on ${host}.` };
  if (severityRank(worst) >= severityRank('high'))
    return { level: 'danger', headline: `Danger: your connection to ${host} is probably being intercepted or tampered with.` };
  return { level: 'warning', headline: `Warning: something unusual was seen on ${host}.` };
}
