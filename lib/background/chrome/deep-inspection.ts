import type { CertObservation, CertSource } from '../../core/observations';
import type { MonitoredSite } from '../../core/sites';
import { createPageLoads, type PageLoadMemory } from './page-load-memory';
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
  /** Whether a page is mail or chat: the debugger attaches only to tabs showing one. */
  isMessagingUrl(url: string): boolean;
  /**
   * The site a connection of the tab is judged for, or undefined when it is out of the tab's
   * messaging session (lib/background/session-scope.ts): every connection of a mail or chat page
   * and its frames is in it, whatever the host; a top-level navigation belongs to the next page.
   */
  scopeOf(tabId: number, url: string, resourceType: string): MonitoredSite | undefined;
  onCertificate(tabId: number, cert: CertObservation, site: MonitoredSite): void;
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
  frameId?: string;
  response?: { url?: string; connectionId?: number; securityDetails?: CdpSecurityDetails };
}

/**
 * What one attachment has seen, per page load (lib/background/chrome/page-load-memory.ts): the
 * connections asked about, the leaf judged per host, what the popup is told, the hosts probed.
 */
interface TabSession {
  loads: ReturnType<typeof createPageLoads>;
  asked: PageLoadMemory<true>;
  judgedLeaf: PageLoadMemory<string>;
  judged: PageLoadMemory<DeepJudged>;
  /** Hosts probed during this page load: never twice, whatever a reconnecting socket does. */
  probed: PageLoadMemory<true>;
  /** Hosts being probed: their probe's response is judged by the prober, for what it stands for. */
  probing: Set<string>;
  sockets: Map<string, string>;
  /** The tab's top-level frame (DevTools frame id): its documents are the page, others are frames. */
  topFrameId?: string;
  /** The committed top-level page, once a commit was seen: only its host is ever probed as the page. */
  pageUrl?: string;
}

const MAX_SOCKETS = 200;
const MAX_JUDGED_SHOWN = 20;
/** Long enough for an attachment that won the race to see the page's own responses. */
const PAGE_GRACE_MS = 1500;

function newSession(): TabSession {
  const loads = createPageLoads();
  return { loads, asked: loads.memory(), judgedLeaf: loads.memory(), judged: loads.memory(), probed: loads.memory({ acrossNavigation: true }), probing: new Set(), sockets: new Map() };
}

/**
 * Chrome deep inspection: the debugger is attached only to tabs showing mail or chat, and only
 * while they do; Chrome shows its "started debugging this browser" banner meanwhile, which is why
 * the user must opt in. Every connection of the tab's messaging session is judged, whatever its
 * host (the chat's socket host, the mail's API host), as Firefox judges them.
 *
 * Each certificate is judged once per leaf fingerprint and host per page load (a certificate
 * swapped in mid-session is judged; the same one again on the same page is not):
 * - every new connection in the session (Network.responseReceived, by connection id): its chain
 *   from Network.getCertificate;
 * - a page whose response beat the attachment (a new tab's first load): Network.getCertificate
 *   answers only for origins whose responses the debugger saw (measured), so, if the page showed
 *   none within a grace period, one probe request (see probeChain) gives it one;
 * - websocket handshakes in the session (the socket host may differ from the page's):
 *   getCertificate never answers for a socket (measured), so its host is probed the same way.
 * The Security domain, which reports the committed page's chain to DevTools, is refused to
 * extensions ("'Security.enable' wasn't found", measured).
 *
 * A page load ends when the next top-level document commits, not when a navigation starts: a
 * navigation that never commits (a 204 answer) leaves the debugger and what it judged in place.
 */
// eslint-disable-next-line max-lines-per-function -- one closure: the debugger listeners and navigating/committed share the per-tab sessions map; each inner function is short
export function createDeepInspector(deps: DeepInspectorDeps) {
  const sessions = new Map<number, TabSession>();

  deps.api.onDetach.addListener((source, reason) => {
    if (source.tabId === undefined || !sessions.delete(source.tabId)) return;
    // The user pressed "Cancel" on Chrome's banner, opened DevTools, or the tab went away.
    deps.onStatus(source.tabId, { state: 'detached', reason });
  });

  /** The popup is told what was judged: the page itself always, then the latest of the session's other hosts. */
  function showJudged(tabId: number, session: TabSession): void {
    const all = session.judged.values();
    const page = all.filter((j) => j.what === 'page');
    const others = all.filter((j) => j.what !== 'page').slice(-Math.max(0, MAX_JUDGED_SHOWN - page.length));
    deps.onStatus(tabId, { state: 'attached', judged: [...page, ...others] });
  }

  function judge(tabId: number, cert: CertObservation | undefined, what: DeepJudged['what'], site: MonitoredSite | undefined): void {
    const session = sessions.get(tabId);
    const leaf = cert?.chain[0];
    if (!session || !cert || !leaf || !site) return;
    const url = new URL(cert.url);
    if (session.judgedLeaf.get(url.host) === leaf.sha256) return;
    session.judgedLeaf.set(url.host, leaf.sha256);
    deps.onCertificate(tabId, cert, site);
    const source = cert.source ?? 'debugger';
    const key = [url.hostname, what, source].join('|');
    if (session.judged.has(key)) return;
    session.judged.set(key, { host: url.hostname, what, source });
    // While a navigation is pending the popup keeps telling what was judged on the page still
    // shown; what the navigation brought is told when it commits (committed() shows again).
    if (!session.loads.navigationPending()) showJudged(tabId, session);
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
   * Only a host the tab already uses is probed (its page, or a socket it opened), once per page load.
   * The page's CSP still applies: a host it does not allow over https stays unjudged.
   */
  async function probeChain(tabId: number, session: TabSession, origin: string): Promise<unknown[]> {
    const host = new URL(origin).host;
    if (session.probed.has(host)) return [];
    session.probed.set(host, true);
    session.probing.add(host);
    try {
      const frameId = await topFrameOf(tabId, session);
      if (frameId === undefined) return [];
      const world = (await deps.api.sendCommand({ tabId }, 'Page.createIsolatedWorld', { frameId, worldName: 'tapguard-probe' })) as { executionContextId?: unknown } | undefined;
      if (typeof world?.executionContextId !== 'number') return [];
      const request = `fetch(${JSON.stringify(`${origin}/`)}, { method: 'HEAD', mode: 'no-cors', credentials: 'omit', cache: 'no-store' }).then(() => true, () => false)`;
      await deps.api.sendCommand({ tabId }, 'Runtime.evaluate', { contextId: world.executionContextId, expression: request, awaitPromise: true });
      return await chainOf(tabId, origin);
    } finally {
      session.probing.delete(host);
    }
  }

  async function topFrameOf(tabId: number, session: TabSession): Promise<string | undefined> {
    if (session.topFrameId !== undefined) return session.topFrameId;
    const tree = (await deps.api.sendCommand({ tabId }, 'Page.getFrameTree')) as { frameTree?: { frame?: { id?: unknown } } } | undefined;
    const id = tree?.frameTree?.frame?.id;
    if (typeof id === 'string') session.topFrameId = id;
    return session.topFrameId;
  }

  const scheduleCheck = (tabId: number, session: TabSession) => setTimeout(() => checkPage(tabId, session), deps.pageGraceMs ?? PAGE_GRACE_MS);

  /** A page whose certificate is still not judged after the grace period is probed. */
  function checkPage(tabId: number, session: TabSession): void {
    const pageUrl = session.pageUrl;
    // Detached or replaced since, or no page committed yet (the commit schedules its own check).
    if (sessions.get(tabId) !== session || !pageUrl) return;
    const url = new URL(pageUrl);
    // Judged, not merely seen: a response the browser itself made (the favicon) gets no chain.
    if (session.judgedLeaf.has(url.host) || url.protocol !== 'https:') return;
    probeChain(tabId, session, url.origin)
      .then((chain) => judge(tabId, certObservationFromCdp({ url: pageUrl, resourceType: 'main_frame' }, {}, chain, 'debugger-probe'), 'page', deps.scopeOf(tabId, pageUrl, 'main_frame')))
      .catch(() => undefined);
  }

  /** The webRequest type of a response: a document is the page's only in the top-level frame. */
  function resourceTypeOf(session: TabSession, params: ResponseReceived): string {
    if (params.type !== 'Document') return RESOURCE_TYPES[params.type ?? ''] ?? 'other';
    // Before the top frame is known, a document counts as a navigation: judged only if its own host is mail or chat.
    return params.frameId === undefined || session.topFrameId === undefined || params.frameId === session.topFrameId ? 'main_frame' : 'sub_frame';
  }

  function onResponse(tabId: number, session: TabSession, params: ResponseReceived): void {
    const { response } = params;
    const details = response?.securityDetails;
    if (!response?.url || !details) return;
    const resourceType = resourceTypeOf(session, params);
    const site = deps.scopeOf(tabId, response.url, resourceType);
    if (!site) return;
    const { origin, host } = new URL(response.url);
    if (session.probing.has(host)) return;
    // A new connection may carry a new certificate; its fingerprint is known only once fetched.
    const key = [origin, response.connectionId, details.subjectName, details.issuer, details.validFrom, details.validTo, details.protocol, details.cipher].join('|');
    if (session.asked.has(key)) return;
    session.asked.set(key, true);
    chainOf(tabId, origin)
      .then((chain) => {
        const cert = certObservationFromCdp({ url: response.url!, resourceType }, details, chain);
        if (!cert) session.asked.delete(key);
        judge(tabId, cert, resourceType === 'main_frame' ? 'page' : 'request', site);
      })
      .catch(() => session.asked.delete(key));
  }

  function onSocketOpened(tabId: number, session: TabSession, requestId: string): void {
    const url = session.sockets.get(requestId);
    session.sockets.delete(requestId);
    const site = url === undefined ? undefined : deps.scopeOf(tabId, url, 'websocket');
    if (!url || !site) return;
    const origin = new URL(url.replace(/^wss:/, 'https:')).origin;
    const socket = { url, resourceType: 'websocket' };
    chainOf(tabId, origin)
      .then(async (chain) =>
        chain.length > 0 ? certObservationFromCdp(socket, {}, chain) : certObservationFromCdp(socket, {}, await probeChain(tabId, session, origin), 'debugger-probe'),
      )
      .then((cert) => judge(tabId, cert, 'socket', site))
      .catch(() => undefined);
  }

  deps.api.onEvent.addListener((source, method, params) => {
    const tabId = source.tabId;
    const session = tabId === undefined ? undefined : sessions.get(tabId);
    if (tabId === undefined || !session || typeof params !== 'object' || params === null) return;
    if (method === 'Network.responseReceived') return onResponse(tabId, session, params as ResponseReceived);
    if (method === 'Network.webSocketCreated') {
      const { requestId, url } = params as { requestId?: unknown; url?: unknown };
      if (typeof requestId !== 'string' || typeof url !== 'string' || !url.startsWith('wss:')) return;
      if (session.sockets.size >= MAX_SOCKETS) session.sockets.clear();
      session.sockets.set(requestId, url);
      return;
    }
    if (method === 'Network.webSocketHandshakeResponseReceived') {
      const { requestId } = params as { requestId?: unknown };
      if (typeof requestId === 'string') onSocketOpened(tabId, session, requestId);
      return;
    }
  });

  async function attach(tabId: number, committedUrl?: string): Promise<void> {
    const session = newSession();
    session.pageUrl = committedUrl;
    // Attached at a commit: the page load is that document's, not a navigation still pending.
    if (committedUrl !== undefined) session.loads.committed();
    sessions.set(tabId, session);
    try {
      await deps.api.attach({ tabId }, '1.3');
      deps.onStatus(tabId, { state: 'attached', judged: [] });
      await deps.api.sendCommand({ tabId }, 'Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
      if (committedUrl !== undefined) scheduleCheck(tabId, session);
      await topFrameOf(tabId, session).catch(() => undefined);
    } catch (error) {
      if (sessions.get(tabId) !== session) return;
      sessions.delete(tabId);
      await deps.api.detach({ tabId }).catch(() => undefined);
      // DevTools open or another debugger: say so, and record nothing rather than something false.
      deps.onStatus(tabId, { state: 'failed', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  async function detach(tabId: number): Promise<void> {
    if (!sessions.delete(tabId)) return;
    deps.onStatus(tabId, undefined);
    await deps.api.detach({ tabId }).catch(() => undefined);
  }

  return {
    /**
     * A top-level navigation starts (or a tab opens with an address pending): attaching now races
     * the page's response. Nothing is dropped or detached here: the navigation may never commit.
     */
    async navigating(tabId: number, url: string, enabled: boolean): Promise<void> {
      const session = sessions.get(tabId);
      if (session) return session.loads.navigationStarted();
      if (enabled && deps.isMessagingUrl(url)) return attach(tabId);
    },
    /** A new top-level document committed: attach for mail and chat, detach otherwise; a new page load starts. */
    async committed(tabId: number, url: string, enabled: boolean): Promise<void> {
      const wanted = enabled && deps.isMessagingUrl(url);
      const session = sessions.get(tabId);
      if (!wanted) return detach(tabId);
      if (!session) return attach(tabId, url);
      // A new page load is judged afresh, as Firefox judges every load; what its own response showed stays.
      session.pageUrl = url;
      session.loads.committed();
      showJudged(tabId, session);
      scheduleCheck(tabId, session);
    },
    forget(tabId: number): void {
      sessions.delete(tabId);
    },
    isAttached: (tabId: number) => sessions.has(tabId),
  };
}
