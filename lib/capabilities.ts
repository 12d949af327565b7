import { t } from './i18n';
import type { BrowserFamily } from './types';

export interface Capability {
  check: string;
  available: boolean;
  note: string;
}

/** Chrome deep inspection as the popup sees it for one tab. */
export type DeepState = { state: string; reason?: string } | undefined;

/**
 * What this browser lets tapguard observe. The UI lists the gaps so silence is never read as "all
 * checked"; an export records the same list, so evidence says which checks were active.
 */
export function capabilitiesOf(browser: BrowserFamily, deep?: DeepState): Capability[] {
  const firefox = browser === 'firefox';
  const deepOn = !firefox && deep?.state === 'attached';
  const certNote = firefox
    ? ''
    : deepOn
      ? t('capability.chain.deepOn')
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
    { check: t('capability.chain'), available: firefox || deepOn, note: certNote },
    { check: t('capability.tls'), available: firefox || deepOn, note: firefox || deepOn ? '' : t('capability.tls.chrome') },
  ];
}
