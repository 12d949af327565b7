import type { CertObservation } from '../observations';
import { certObservationFromCdp, type CdpSecurityDetails } from './security-details';

/** The slice of chrome.debugger that deep inspection uses (promise form, MV3). */
export interface DebuggerApi {
  attach(target: { tabId: number }, version: string): Promise<void>;
  detach(target: { tabId: number }): Promise<void>;
  sendCommand(target: { tabId: number }, method: string, params?: object): Promise<unknown>;
  onEvent: { addListener(listener: (source: { tabId?: number }, method: string, params?: unknown) => void): void };
  onDetach: { addListener(listener: (source: { tabId?: number }, reason: string) => void): void };
}

export type DeepStatus = { state: 'attached' } | { state: 'failed'; reason: string } | { state: 'detached'; reason: string };

export interface DeepInspectorDeps {
  api: DebuggerApi;
  isMessagingUrl(url: string): boolean;
  onCertificate(tabId: number, cert: CertObservation): void;
  onStatus(tabId: number, status: DeepStatus | undefined): void;
}

const RESOURCE_TYPES: Record<string, string> = {
  Document: 'main_frame',
  Script: 'script',
  XHR: 'xmlhttprequest',
  Fetch: 'xmlhttprequest',
  Stylesheet: 'stylesheet',
  Image: 'image',
};

interface ResponseReceived {
  type?: string;
  response?: { url?: string; securityDetails?: CdpSecurityDetails };
}

/**
 * Chrome deep inspection: the debugger is attached only to tabs showing mail or chat, and only
 * while they do; Chrome shows its "started debugging this browser" banner meanwhile, which is why
 * the user must opt in. Each distinct certificate per origin is fetched once per attachment.
 *
 * Attaching starts with the navigation to a mail host, so responses that beat it (often the first
 * page load in a new tab) are not seen; the app's later loads and requests in that tab are. The
 * DevTools protocol has no way to ask for a certificate it did not see arrive.
 */
export function createDeepInspector(deps: DeepInspectorDeps) {
  const attached = new Map<number, Map<string, string>>();

  deps.api.onDetach.addListener((source, reason) => {
    if (source.tabId === undefined || !attached.delete(source.tabId)) return;
    // The user pressed "Cancel" on Chrome's banner, opened DevTools, or the tab went away.
    deps.onStatus(source.tabId, { state: 'detached', reason });
  });

  /** Fetches the chain of `url`'s origin once per distinct certificate (`key`) and attachment. */
  function inspect(tabId: number, url: string, resourceType: string, details: CdpSecurityDetails, key: string): void {
    const seen = attached.get(tabId);
    if (!seen || !deps.isMessagingUrl(url)) return;
    const origin = new URL(url).origin;
    if (seen.get(origin) === key) return;
    seen.set(origin, key);
    deps.api
      .sendCommand({ tabId }, 'Network.getCertificate', { origin })
      .then((result) => {
        const chain = (result as { tableNames?: string[] } | undefined)?.tableNames ?? [];
        const cert = certObservationFromCdp({ url, resourceType }, details, chain);
        if (cert) deps.onCertificate(tabId, cert);
        else seen.delete(origin);
      })
      .catch(() => seen.delete(origin));
  }

  deps.api.onEvent.addListener((source, method, params) => {
    const tabId = source.tabId;
    if (tabId === undefined || method !== 'Network.responseReceived') return;
    const { type, response } = (params ?? {}) as ResponseReceived;
    const details = response?.securityDetails;
    if (!response?.url || !details) return;
    const key = [details.subjectName, details.issuer, details.validFrom, details.validTo, details.protocol, details.cipher].join('|');
    inspect(tabId, response.url, RESOURCE_TYPES[type ?? ''] ?? 'other', details, key);
  });

  async function attach(tabId: number): Promise<void> {
    attached.set(tabId, new Map());
    try {
      await deps.api.attach({ tabId }, '1.3');
      await deps.api.sendCommand({ tabId }, 'Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
      deps.onStatus(tabId, { state: 'attached' });
    } catch (error) {
      attached.delete(tabId);
      // DevTools open or another debugger: say so, and record nothing rather than something false.
      deps.onStatus(tabId, { state: 'failed', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  return {
    /** Called on every main-frame navigation: attach for mail and chat, detach otherwise. */
    async follow(tabId: number, url: string, enabled: boolean): Promise<void> {
      const wanted = enabled && deps.isMessagingUrl(url);
      if (wanted && !attached.has(tabId)) return attach(tabId);
      if (!wanted && attached.has(tabId)) {
        attached.delete(tabId);
        deps.onStatus(tabId, undefined);
        await deps.api.detach({ tabId }).catch(() => undefined);
      }
    },
    forget(tabId: number): void {
      attached.delete(tabId);
    },
    isAttached: (tabId: number) => attached.has(tabId),
  };
}
