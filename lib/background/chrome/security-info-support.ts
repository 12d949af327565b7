import { SECURITY_INFO_SPEC, type HeadersReceivedEvent } from './standard-security-info';

/**
 * Whether this browser fills the proposed standard webRequest securityInfo
 * (lib/background/chrome/standard-security-info.ts), measured once per browser run (kept in
 * storage.session, which outlives the MV3 worker, and tagged with the browser version). Chromium 156 accepts the option but never fills it (measured), and a listener that
 * waits for it would wake the MV3 worker for every https request of every page: so its listener
 * is registered only where a response was seen to carry it.
 */
export interface SecurityInfoSupport {
  /** The browser (name and version) it was measured in: a new version is measured again. */
  browser: string;
  fills: boolean;
}

/** Where the measurement is kept (storage.session: measured again after a browser restart, never for a worker's). */
export const SECURITY_INFO_SUPPORT_KEY = 'securityInfoSupport';

export interface SecurityInfoProbeDeps {
  /** The browser's name and version, as the user agent gives them. */
  browser: string;
  /** The last measurement, as stored (validated here), or undefined. */
  stored(): Promise<unknown>;
  store(support: SecurityInfoSupport): Promise<void>;
  /** webRequest.onHeadersReceived, with removeListener. */
  event: HeadersReceivedEvent & { removeListener(listener: (details: never) => void): void };
}

/** What the probe listens to: a secure response the network answered (a cached one may carry no connection). */
export const PROBE_FILTER = { urls: ['https://*/*'], types: ['main_frame', 'sub_frame', 'xmlhttprequest'] };

interface ProbedResponse {
  url: string;
  fromCache?: boolean;
  securityInfo?: unknown;
}

function isSupport(value: unknown, browser: string): value is SecurityInfoSupport {
  const v = value as Partial<SecurityInfoSupport> | undefined;
  return Boolean(v && v.browser === browser && typeof v.fills === 'boolean');
}

/**
 * Resolves whether the browser fills securityInfo: from storage when this browser version was
 * measured, otherwise from the first https response off the network (one listener, removed after
 * that response). A browser that refuses the option's name does not fill it.
 */
export async function securityInfoFilled(deps: SecurityInfoProbeDeps): Promise<boolean> {
  const stored = await deps.stored().catch(() => undefined);
  if (isSupport(stored, deps.browser)) return stored.fills;
  const fills = await new Promise<boolean>((resolve) => {
    const probe = (details: ProbedResponse) => {
      if (details.fromCache || !details.url.startsWith('https:')) return;
      deps.event.removeListener(probe as (details: never) => void);
      resolve(details.securityInfo !== undefined && details.securityInfo !== null);
    };
    try {
      deps.event.addListener(probe as (details: { url: string; type: string; tabId: number }) => void, PROBE_FILTER, [...SECURITY_INFO_SPEC]);
    } catch {
      resolve(false);
    }
  });
  await deps.store({ browser: deps.browser, fills }).catch(() => undefined);
  return fills;
}
