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
      ? 'Checked through deep inspection (Chrome shows a debugging banner meanwhile). Chrome does not say whether a root is built in, so only changes and known interceptors are judged.'
      : deep?.state === 'failed'
        ? `Deep inspection could not attach to this tab (${deep.reason ?? 'unknown reason'}; is DevTools open?), so certificates were not checked.`
        : deep?.state === 'detached'
          ? `Deep inspection was stopped on this tab (${deep.reason ?? 'detached'}), so certificates were not checked.`
          : 'Chrome does not show certificates to extensions. Turn on deep inspection in the options to check them.';
  return [
    { check: 'Unencrypted (http) pages, redirects, forms and sockets', available: true, note: '' },
    { check: 'Scripts, inline code, frames and CSP changes', available: true, note: '' },
    { check: 'Changed bytes of a script under the same address', available: firefox, note: firefox ? '' : 'Chrome does not let extensions read responses.' },
    { check: 'Certificate errors', available: true, note: '' },
    { check: 'Certificate chain and root', available: firefox || deepOn, note: certNote },
    { check: 'TLS version and cipher', available: firefox || deepOn, note: firefox || deepOn ? '' : 'Needs deep inspection in Chrome.' },
  ];
}
