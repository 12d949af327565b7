import type { CertObservation, CertSource } from '../../core/observations';
import { certObservationFromCdp, type CdpSecurityDetails } from './security-details';

/** The slice of chrome.debugger that deep inspection uses (promise form, MV3). */
export interface DebuggerApi {
  attach(target: { tabId: number }, version: string): Promise<void>;
  detach(target: { tabId: number }): Promise<void>;
  sendCommand(target: { tabId: number }, method: string, params?: object): Promise<unknown>;
  onEvent: { addListener(listener: (source: { tabId?: number }, method: string, params?: unknown) => void): void };
  onDetach: { addListener(listener: (source: { tabId?: number }, reason: string) => void): void };
}

/** One certificate deep inspection judged on a tab: whose, for what, and by which route. */
export interface DeepJudged {
  host: string;
  what: 'page' | 'request' | 'socket';
  source: CertSource;
}

export type DeepStatus =
  | { state: 'attached'; judged?: DeepJudged[] }
  | { state: 'failed'; reason: string }
  | { state: 'detached'; reason: string };

export interface DeepInspectorDeps {
  api: DebuggerApi;
  isMessagingUrl(url: string): boolean;
  onCertificate(tabId: number, cert: CertObservation): void;
  onStatus(tabId: number, status: DeepStatus | undefined): void;
  /** How long a page may take to show its first response before it is probed (tests pass 0). */
  pageGraceMs?: number;
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
  response?: { url?: string; connectionId?: number; securityDetails?: CdpSecurityDetails };
}

/** What one attachment has seen: connections asked about, the leaf judged per host, open sockets. */
interface TabSession {
  asked: Set<string>;
  judgedLeaf: Map<string, string>;
  sockets: Map<string, string>;
  judged: DeepJudged[];
  /** Hosts being probed: their probe's response is judged by the prober, for what it stands for. */
  probing: Set<string>;
  /** Hosts probed during this page load: never twice, whatever a reconnecting socket does. */
  probed: Set<string>;
}

const MAX_REMEMBERED = 200;
/** Long enough for an attachment that won the race to see the page's own responses. */
const PAGE_GRACE_MS = 1500;
const remember = <T>(set: Set<T>, value: T) => {
  if (set.size >= MAX_REMEMBERED) set.clear();
  set.add(value);
};

/**
 * Chrome deep inspection: the debugger is attached only to tabs showing mail or chat, and only
 * while they do; Chrome shows its "started debugging this browser" banner meanwhile, which is why
 * the user must opt in.
 *
 * Each certificate is judged once per leaf fingerprint and host per page load (a certificate
 * swapped in mid-session is judged; the same one again on the same page is not):
 * - every new connection to a messaging origin (Network.responseReceived, by connection id):
 *   its chain from Network.getCertificate;
 * - a page whose response beat the attachment (a new tab's first load): Network.getCertificate
 *   answers only for origins whose responses the debugger saw (measured), so, if the page showed
 *   none within a grace period, one probe request (see probeChain) gives it one;
 * - websocket handshakes to messaging hosts (the socket host may differ from the page's):
 *   getCertificate never answers for a socket (measured), so its host is probed the same way.
 * The Security domain, which reports the committed page's chain to DevTools, is refused to
 * extensions ("'Security.enable' wasn't found", measured).
 */
// eslint-disable-next-line max-lines-per-function -- one closure: the debugger listeners and follow/forget share the per-tab sessions map; each inner function is short
export function createDeepInspector(deps: DeepInspectorDeps) {
  const sessions = new Map<number, TabSession>();

  deps.api.onDetach.addListener((source, reason) => {
    if (source.tabId === undefined || !sessions.delete(source.tabId)) return;
    // The user pressed "Cancel" on Chrome's banner, opened DevTools, or the tab went away.
    deps.onStatus(source.tabId, { state: 'detached', reason });
  });

  function judge(tabId: number, cert: CertObservation | undefined, what: DeepJudged['what']): void {
    const session = sessions.get(tabId);
    const leaf = cert?.chain[0];
    if (!session || !cert || !leaf) return;
    const url = new URL(cert.url);
    if (session.judgedLeaf.get(url.host) === leaf.sha256) return;
    session.judgedLeaf.set(url.host, leaf.sha256);
    deps.onCertificate(tabId, cert);
    const source = cert.source ?? 'debugger';
    if (!session.judged.some((j) => j.host === url.hostname && j.what === what && j.source === source)) {
      session.judged = [...session.judged, { host: url.hostname, what, source }].slice(-20);
      deps.onStatus(tabId, { state: 'attached', judged: session.judged });
    }
  }

  /** The chain of the origin's current connection; [] when the debugger did not see it arrive. */
  async function chainOf(tabId: number, origin: string): Promise<unknown[]> {
    const result = await deps.api.sendCommand({ tabId }, 'Network.getCertificate', { origin });
    const names = (result as { tableNames?: unknown } | undefined)?.tableNames;
    return Array.isArray(names) ? names : [];
  }

  /**
   * A certificate the debugger did not see arrive is read after one request of tapguard's own from
   * the tab: HEAD to the origin's root, without cookies or cache, from an isolated world (the
   * page's scripts neither see nor can alter it). getCertificate then answers from its response.
   * The page's CSP still applies: a host it does not allow over https stays unjudged.
   */
  async function probeChain(tabId: number, session: TabSession, origin: string): Promise<unknown[]> {
    const host = new URL(origin).host;
    if (session.probed.has(host)) return [];
    remember(session.probed, host);
    session.probing.add(host);
    try {
      const tree = (await deps.api.sendCommand({ tabId }, 'Page.getFrameTree')) as { frameTree?: { frame?: { id?: unknown } } } | undefined;
      const frameId = tree?.frameTree?.frame?.id;
      if (typeof frameId !== 'string') return [];
      const world = (await deps.api.sendCommand({ tabId }, 'Page.createIsolatedWorld', { frameId, worldName: 'tapguard-probe' })) as { executionContextId?: unknown } | undefined;
      if (typeof world?.executionContextId !== 'number') return [];
      const request = `fetch(${JSON.stringify(`${origin}/`)}, { method: 'HEAD', mode: 'no-cors', credentials: 'omit', cache: 'no-store' }).then(() => true, () => false)`;
      await deps.api.sendCommand({ tabId }, 'Runtime.evaluate', { contextId: world.executionContextId, expression: request, awaitPromise: true });
      return await chainOf(tabId, origin);
    } finally {
      session.probing.delete(host);
    }
  }

  /** A page whose certificate is still not judged after the grace period is probed. */
  function checkPage(tabId: number, session: TabSession, pageUrl: string): void {
    const url = new URL(pageUrl);
    // Judged, not merely seen: a response the browser itself made (the favicon) gets no chain.
    if (sessions.get(tabId) !== session || session.judgedLeaf.has(url.host) || url.protocol !== 'https:') return;
    probeChain(tabId, session, url.origin)
      .then((chain) => judge(tabId, certObservationFromCdp({ url: pageUrl, resourceType: 'main_frame' }, {}, chain, 'debugger-probe'), 'page'))
      .catch(() => undefined);
  }

  function onResponse(tabId: number, session: TabSession, params: ResponseReceived): void {
    const { type, response } = params;
    const details = response?.securityDetails;
    if (!response?.url || !details || !deps.isMessagingUrl(response.url)) return;
    const { origin, host } = new URL(response.url);
    if (session.probing.has(host)) return;
    // A new connection may carry a new certificate; its fingerprint is known only once fetched.
    const key = [origin, response.connectionId, details.subjectName, details.issuer, details.validFrom, details.validTo, details.protocol, details.cipher].join('|');
    if (session.asked.has(key)) return;
    remember(session.asked, key);
    const request = { url: response.url, resourceType: RESOURCE_TYPES[type ?? ''] ?? 'other' };
    chainOf(tabId, origin)
      .then((chain) => {
        const cert = certObservationFromCdp(request, details, chain);
        if (!cert) session.asked.delete(key);
        judge(tabId, cert, type === 'Document' ? 'page' : 'request');
      })
      .catch(() => session.asked.delete(key));
  }

  function onSocketOpened(tabId: number, session: TabSession, requestId: string): void {
    const url = session.sockets.get(requestId);
    session.sockets.delete(requestId);
    if (!url) return;
    const origin = new URL(url.replace(/^wss:/, 'https:')).origin;
    const socket = { url, resourceType: 'websocket' };
    chainOf(tabId, origin)
      .then(async (chain) =>
        chain.length > 0 ? certObservationFromCdp(socket, {}, chain) : certObservationFromCdp(socket, {}, await probeChain(tabId, session, origin), 'debugger-probe'),
      )
      .then((cert) => judge(tabId, cert, 'socket'))
      .catch(() => undefined);
  }

  deps.api.onEvent.addListener((source, method, params) => {
    const tabId = source.tabId;
    const session = tabId === undefined ? undefined : sessions.get(tabId);
    if (tabId === undefined || !session || typeof params !== 'object' || params === null) return;
    if (method === 'Network.responseReceived') return onResponse(tabId, session, params as ResponseReceived);
    if (method === 'Network.webSocketCreated') {
      const { requestId, url } = params as { requestId?: unknown; url?: unknown };
      if (typeof requestId !== 'string' || typeof url !== 'string' || !url.startsWith('wss:') || !deps.isMessagingUrl(url)) return;
      if (session.sockets.size >= MAX_REMEMBERED) session.sockets.clear();
      session.sockets.set(requestId, url);
      return;
    }
    if (method === 'Network.webSocketHandshakeResponseReceived') {
      const { requestId } = params as { requestId?: unknown };
      if (typeof requestId === 'string') onSocketOpened(tabId, session, requestId);
      return;
    }
  });

  async function attach(tabId: number, pageUrl: string): Promise<void> {
    const session: TabSession = { asked: new Set(), judgedLeaf: new Map(), sockets: new Map(), judged: [], probing: new Set(), probed: new Set() };
    sessions.set(tabId, session);
    try {
      await deps.api.attach({ tabId }, '1.3');
      deps.onStatus(tabId, { state: 'attached', judged: [] });
      await deps.api.sendCommand({ tabId }, 'Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
      setTimeout(() => checkPage(tabId, session, pageUrl), deps.pageGraceMs ?? PAGE_GRACE_MS);
    } catch (error) {
      sessions.delete(tabId);
      await deps.api.detach({ tabId }).catch(() => undefined);
      // DevTools open or another debugger: say so, and record nothing rather than something false.
      deps.onStatus(tabId, { state: 'failed', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  return {
    /** Called on every main-frame navigation: attach for mail and chat, detach otherwise. */
    async follow(tabId: number, url: string, enabled: boolean): Promise<void> {
      const wanted = enabled && deps.isMessagingUrl(url);
      const session = sessions.get(tabId);
      if (wanted && !session) return attach(tabId, url);
      if (wanted && session) {
        // A new page load is judged afresh, as Firefox judges every load: its badge and popup start empty.
        session.asked.clear();
        session.judgedLeaf.clear();
        session.probed.clear();
        session.judged = [];
        deps.onStatus(tabId, { state: 'attached', judged: [] });
        return;
      }
      if (!wanted && sessions.has(tabId)) {
        sessions.delete(tabId);
        deps.onStatus(tabId, undefined);
        await deps.api.detach({ tabId }).catch(() => undefined);
      }
    },
    forget(tabId: number): void {
      sessions.delete(tabId);
    },
    isAttached: (tabId: number) => sessions.has(tabId),
  };
}
