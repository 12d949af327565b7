import { t, type MessageKey } from '../core/i18n';
import type { BrowserFamily, DeepState } from '../core/types';

export interface Capability {
  check: string;
  available: boolean;
  note: string;
}

export type { DeepState, JudgedCert } from '../core/types';

const SOURCE_KEYS: Record<string, MessageKey> = {
  debugger: 'deep.source.network',
  'debugger-probe': 'deep.source.probe',
  webrequest: 'deep.source.webrequest',
};
const WHAT_KEYS: Record<string, MessageKey> = { page: 'deep.what.page', request: 'deep.what.request', socket: 'deep.what.socket' };

/**
 * In plain words, what deep inspection judged on this tab (host, what, by which route) and what it
 * missed: above all the page's own certificate, which a first load in a new tab can hide.
 */
export function deepSummary(deep: DeepState, pageHost: string): { judged: string[]; missed: string[] } {
  if (deep?.state !== 'attached' && deep?.state !== 'standard') return { judged: [], missed: [] };
  const judged = (deep.judged ?? []).map((j) =>
    t('deep.judged', { host: j.host, what: t(WHAT_KEYS[j.what] ?? 'deep.what.request'), source: t(SOURCE_KEYS[j.source] ?? 'deep.source.network') }),
  );
  const pageJudged = (deep.judged ?? []).some((j) => j.host === pageHost);
  const missedPage = deep.state === 'attached' && pageHost !== '' && !pageJudged;
  return { judged, missed: missedPage ? [t('deep.missedPage', { host: pageHost })] : [] };
}

/**
 * What this browser lets tapguard observe. The UI lists the gaps so silence is never read as "all
 * checked"; an export records the same list, so evidence says which checks were active.
 */
export function capabilitiesOf(browser: BrowserFamily, deep?: DeepState, pageHost = ''): Capability[] {
  const firefox = browser === 'firefox';
  const deepOn = !firefox && deep?.state === 'attached';
  const summary = deepSummary(firefox ? undefined : deep, pageHost);
  const certNote = firefox
    ? ''
    : deepOn
      ? [t('capability.chain.deepOn'), ...summary.judged, ...summary.missed].join(' ')
      : deep?.state === 'standard'
        ? [t('capability.chain.standard'), ...summary.judged].join(' ')
      : deep?.state === 'failed'
        ? t('capability.chain.deepFailed', { reason: deep.reason ?? '?' })
        : deep?.state === 'detached'
          ? t('capability.chain.deepDetached', { reason: deep.reason ?? '?' })
          : t('capability.chain.chrome');
  return [
    { check: t('capability.http'), available: true, note: '' },
    { check: t('capability.scripts'), available: true, note: '' },
    { check: t('capability.scriptBytes'), available: firefox, note: firefox ? '' : t('capability.scriptBytes.chrome') },
    { check: t('capability.certErrors'), available: true, note: '' },
    // A page whose own certificate deep inspection missed is not called checked.
    { check: t('capability.chain'), available: firefox || (deepOn && summary.missed.length === 0), note: certNote },
    { check: t('capability.tls'), available: firefox || deepOn, note: firefox || deepOn ? '' : t('capability.tls.chrome') },
  ];
}
