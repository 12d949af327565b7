import type { BrowserFamily } from './types';

export interface Capability {
  check: string;
  available: boolean;
  note: string;
}

/** What this browser lets tapguard observe. The UI lists the gaps so silence is never read as "all checked". */
export function capabilitiesOf(browser: BrowserFamily): Capability[] {
  const firefox = browser === 'firefox';
  return [
    { check: 'Unencrypted (http) mail and chat pages', available: true, note: '' },
    { check: 'Scripts from sources the page never used', available: true, note: '' },
    {
      check: 'Certificate chain and root',
      available: firefox,
      note: firefox ? '' : 'Chrome does not show certificates to extensions, so rogue certificates cannot be checked here.',
    },
  ];
}
