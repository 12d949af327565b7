import { t } from '../core/i18n';
import type { MonitoredSite } from '../core/sites';
import { severityRank, worstSeverity, type Incident } from '../core/types';

export type VerdictLevel = 'not-monitored' | 'clear' | 'warning' | 'danger';

export interface Verdict {
  level: VerdictLevel;
  headline: string;
}

/** The popup's one-line answer to "is it safe to keep typing here?", from what this page showed. */
export function verdictFor(host: string, site: MonitoredSite | undefined, incidents: readonly Pick<Incident, 'severity'>[]): Verdict {
  if (!site) return { level: 'not-monitored', headline: t('verdict.notMonitored', { host: host || t('verdict.thisPage') }) };
  const worst = worstSeverity(incidents.map((i) => i.severity));
  if (!worst || severityRank(worst) < severityRank('medium'))
    return { level: 'clear', headline: t('verdict.clear', { host }) };
  if (severityRank(worst) >= severityRank('high'))
    return { level: 'danger', headline: t('verdict.danger', { host }) };
  return { level: 'warning', headline: t('verdict.warning', { host }) };
}
