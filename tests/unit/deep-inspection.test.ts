// @vitest-environment node
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabCerts, type LabCerts } from '../../lab/certs';
import { createDeepInspector, type DebuggerApi, type DeepStatus } from '@/lib/background/chrome/deep-inspection';
import type { CertObservation } from '@/lib/core/observations';
import type { MonitoredSite } from '@/lib/core/sites';

let dir: string;
let certs: LabCerts;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tapguard-deep-'));
  certs = generateLabCerts(dir, ['mail.example.org', 'socket.example.org']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

/**
 * A fake chrome.debugger whose getCertificate answers from `chains` (origin → base64 DER chain),
 * and from `afterProbe` once a probe request to that origin ran (as Chrome answers only for
 * origins whose responses it saw).
 */
function fakeDebugger(options: { failAttach?: string; chains?: Map<string, string[]>; afterProbe?: Map<string, string[]> } = {}) {
  const probed = new Set<string>();
  const calls: string[] = [];
  const eventListeners: Array<(source: { tabId?: number }, method: string, params?: unknown) => void> = [];
  const detachListeners: Array<(source: { tabId?: number }, reason: string) => void> = [];
  const api: DebuggerApi = {
    attach: async ({ tabId }) => {
      calls.push(`attach ${tabId}`);
      if (options.failAttach) throw new Error(options.failAttach);
    },
    detach: async ({ tabId }) => void calls.push(`detach ${tabId}`),
    sendCommand: async ({ tabId }, method, params) => {
      const origin = (params as { origin?: string } | undefined)?.origin;
      calls.push(`${method} ${tabId}${origin ? ` ${origin}` : ''}`);
      if (method === 'Page.getFrameTree') return { frameTree: { frame: { id: 'main' } } };
      if (method === 'Page.createIsolatedWorld') return { executionContextId: 9 };
      if (method === 'Runtime.evaluate') {
        const expression = (params as { expression: string }).expression;
        for (const probe of options.afterProbe?.keys() ?? []) if (expression.includes(`"${probe}/"`) && expression.includes("credentials: 'omit'")) probed.add(probe);
        return { result: { value: true } };
      }
      if (method !== 'Network.getCertificate') return {};
      const chain = options.chains?.get(origin ?? '') ?? (probed.has(origin ?? '') ? options.afterProbe?.get(origin ?? '') : undefined);
      return { tableNames: chain ?? [] };
    },
    onEvent: { addListener: (l) => void eventListeners.push(l) },
    onDetach: { addListener: (l) => void detachListeners.push(l) },
  };
  return { api, calls, emit: (tabId: number, method: string, params: unknown) => eventListeners.forEach((l) => l({ tabId }, method, params)), detach: (tabId: number, reason: string) => detachListeners.forEach((l) => l({ tabId }, reason)) };
}

const isMessagingUrl = (url: string) => /^(https|wss):\/\/(mail|socket)\.example\.org\//.test(url);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const site = (host: string): MonitoredSite => ({ host, name: 'Example Mail', source: 'user' });

/**
 * The background's session scope, reduced: a request whose own URL is mail or chat is judged for
 * its host; any other request of a tab in `inSession` (not a top-level navigation) for the page's.
 */
function inspector(fake: ReturnType<typeof fakeDebugger>, pageGraceMs = 60_000, inSession: number[] = []) {
  const statuses: Array<DeepStatus | undefined> = [];
  const judged: CertObservation[] = [];
  const sites: MonitoredSite[] = [];
  const deep = createDeepInspector({
    api: fake.api,
    isMessagingUrl,
    scopeOf: (tabId, url, type) => {
      if (isMessagingUrl(url)) return site(new URL(url).hostname);
      return type !== 'main_frame' && inSession.includes(tabId) ? { ...site(new URL(url).hostname), name: 'the page\'s site' } : undefined;
    },
    pageGraceMs,
    onCertificate: (_t, c, s) => void (judged.push(c), sites.push(s)),
    onStatus: (_t, s) => statuses.push(s),
  });
  return { deep, statuses, judged, sites };
}

const documentResponse = (connectionId: number) => ({
  type: 'Document',
  response: { url: 'https://mail.example.org/', connectionId, securityDetails: { subjectName: 'mail.example.org', issuer: 'Tapguard Lab Root CA', protocol: 'TLS 1.3' } },
});

describe('deep inspection', () => {
  it('attaches only to mail tabs and detaches when they leave', async () => {
    const fake = fakeDebugger();
    const { deep, statuses } = inspector(fake);
    await deep.committed(1, 'https://news.example.com/', true);
    await deep.committed(1, 'https://mail.example.org/', true);
    await deep.committed(1, 'https://news.example.com/', true);
    expect(fake.calls).toEqual(['attach 1', 'Network.enable 1', 'Page.getFrameTree 1', 'detach 1']);
    expect(statuses).toEqual([{ state: 'attached', judged: [] }, undefined]);
  });

  it('does nothing while the user has not opted in', async () => {
    const fake = fakeDebugger();
    const { deep } = inspector(fake);
    await deep.committed(1, 'https://mail.example.org/', false);
    expect(fake.calls).toEqual([]);
  });

  it('says so when it cannot attach (DevTools open), and records nothing', async () => {
    const fake = fakeDebugger({ failAttach: 'Another debugger is already attached to the tab with id: 5.' });
    const { deep, statuses, judged } = inspector(fake);
    await deep.committed(5, 'https://mail.example.org/', true);
    fake.emit(5, 'Network.responseReceived', documentResponse(1));
    expect(statuses).toEqual([{ state: 'failed', reason: 'Another debugger is already attached to the tab with id: 5.' }]);
    expect(deep.isAttached(5)).toBe(false);
    expect(judged).toEqual([]);
  });

  it('judges each new connection once, by leaf fingerprint: a certificate swapped mid-session is judged', async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, judged, statuses } = inspector(fake);
    await deep.committed(2, 'https://mail.example.org/', true);
    fake.emit(2, 'Network.responseReceived', documentResponse(1));
    fake.emit(2, 'Network.responseReceived', documentResponse(1));
    fake.emit(2, 'Network.responseReceived', { type: 'Script', response: { url: 'https://cdn.other.test/x.js', connectionId: 3, securityDetails: { issuer: 'R11' } } });
    await settle();
    expect(fake.calls.filter((c) => c.startsWith('Network.getCertificate'))).toEqual(['Network.getCertificate 2 https://mail.example.org']);
    // Same names and validity on a new connection, another certificate: fetched and judged.
    chains.set('https://mail.example.org', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]);
    fake.emit(2, 'Network.responseReceived', documentResponse(2));
    await settle();
    expect(judged.map((c) => c.chain[1]!.sha256)).toEqual([certs.ca.fingerprintSha256, certs.copycatCa.fingerprintSha256]);
    expect(judged.every((c) => c.source === 'debugger' && c.rootTrustKnown === false)).toBe(true);
    expect(statuses.at(-1)).toEqual({ state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger' }] });
    fake.detach(2, 'canceled_by_user');
    expect(statuses.at(-1)).toEqual({ state: 'detached', reason: 'canceled_by_user' });
  });

  it('probes a page whose first load beat the attachment, once its grace period passed, and judges it', async () => {
    const afterProbe = new Map([['https://mail.example.org', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]]]);
    const fake = fakeDebugger({ afterProbe });
    const { deep, judged, statuses } = inspector(fake, 0);
    await deep.committed(3, 'https://mail.example.org/?_task=mail', true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(judged.map((c) => [c.url, c.resourceType, c.source])).toEqual([['https://mail.example.org/?_task=mail', 'main_frame', 'debugger-probe']]);
    expect(statuses.at(-1)).toEqual({ state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger-probe' }] });
  });

  it('does not probe a page whose own response it judged', async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, judged } = inspector(fake, 10);
    await deep.committed(4, 'https://mail.example.org/', true);
    fake.emit(4, 'Network.responseReceived', documentResponse(1));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(fake.calls.some((c) => c.startsWith('Runtime.evaluate'))).toBe(false);
    expect(judged).toHaveLength(1);
  });

  it('judges the certificate of a websocket to a messaging host, which may not be the page\'s host', async () => {
    // Chrome keeps no certificate for a socket: the socket host is probed.
    const afterProbe = new Map([['https://socket.example.org', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]]]);
    const fake = fakeDebugger({ afterProbe });
    const { deep, judged, statuses } = inspector(fake);
    await deep.committed(7, 'https://mail.example.org/', true);
    fake.emit(7, 'Network.webSocketCreated', { requestId: 'w1', url: 'wss://socket.example.org/socket' });
    fake.emit(7, 'Network.webSocketCreated', { requestId: 'w2', url: 'wss://tracker.example.net/socket' });
    fake.emit(7, 'Network.webSocketHandshakeResponseReceived', { requestId: 'w1', response: { status: 101 } });
    fake.emit(7, 'Network.webSocketHandshakeResponseReceived', { requestId: 'w2', response: { status: 101 } });
    await settle();
    expect(judged.map((c) => [c.url, c.resourceType, c.source])).toEqual([['wss://socket.example.org/socket', 'websocket', 'debugger-probe']]);
    expect(statuses.at(-1)).toEqual({ state: 'attached', judged: [{ host: 'socket.example.org', what: 'socket', source: 'debugger-probe' }] });
    // The probe is a HEAD without cookies, from an isolated world; outside a session, only to a host that is mail or chat.
    expect(fake.calls.filter((c) => c.startsWith('Runtime.evaluate'))).toHaveLength(1);
    // A socket that reconnects to a host whose probe gave nothing is not probed again.
    fake.emit(7, 'Network.webSocketCreated', { requestId: 'w3', url: 'wss://socket.example.org/socket' });
    fake.emit(7, 'Network.webSocketHandshakeResponseReceived', { requestId: 'w3', response: { status: 101 } });
    await settle();
    expect(fake.calls.filter((c) => c.startsWith('Runtime.evaluate'))).toHaveLength(1);
  });

  it('judges every page load afresh, so a certificate seen before still counts for the new page', async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, judged } = inspector(fake);
    await deep.committed(8, 'https://mail.example.org/', true);
    fake.emit(8, 'Network.responseReceived', documentResponse(1));
    await settle();
    await deep.navigating(8, 'https://mail.example.org/inbox', true);
    await deep.committed(8, 'https://mail.example.org/inbox', true);
    fake.emit(8, 'Network.responseReceived', documentResponse(1));
    await settle();
    expect(judged).toHaveLength(2);
  });

  it("judges every connection of a tab's session, whatever its host: an API host and a socket host that are not mail or chat themselves", async () => {
    const chains = new Map([['https://api.example.net', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]]]);
    const afterProbe = new Map([['https://gateway.example.net', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]]]);
    const fake = fakeDebugger({ chains, afterProbe });
    const { deep, judged, sites, statuses } = inspector(fake, 60_000, [11]);
    await deep.committed(11, 'https://mail.example.org/', true);
    fake.emit(11, 'Network.responseReceived', { type: 'Fetch', frameId: 'main', response: { url: 'https://api.example.net/v1/messages', connectionId: 4, securityDetails: { issuer: 'Tapguard Lab Root CA' } } });
    fake.emit(11, 'Network.webSocketCreated', { requestId: 's1', url: 'wss://gateway.example.net/?v=10' });
    fake.emit(11, 'Network.webSocketHandshakeResponseReceived', { requestId: 's1', response: { status: 101 } });
    await settle();
    await settle();
    expect(judged.map((c) => [c.url, c.resourceType, c.source])).toEqual([
      ['https://api.example.net/v1/messages', 'xmlhttprequest', 'debugger'],
      ['wss://gateway.example.net/?v=10', 'websocket', 'debugger-probe'],
    ]);
    // Judged under the session's site (the page's profile), as Firefox judges them.
    expect(sites.map((s) => s.name)).toEqual(["the page's site", "the page's site"]);
    expect(statuses.at(-1)).toEqual({
      state: 'attached',
      judged: [
        { host: 'api.example.net', what: 'request', source: 'debugger' },
        { host: 'gateway.example.net', what: 'socket', source: 'debugger-probe' },
      ],
    });
    // The socket host was probed once, from the tab that already uses it.
    expect(fake.calls.filter((c) => c.startsWith('Runtime.evaluate'))).toHaveLength(1);
  });

  it("judges a frame's document on another host, but not a top-level navigation away from the session", async () => {
    const chains = new Map([
      ['https://frame.example.net', [der(certs.leafA.certPem), der(certs.ca.certPem)]],
      ['https://news.example.com', [der(certs.leafB.certPem), der(certs.ca.certPem)]],
    ]);
    const fake = fakeDebugger({ chains });
    const { deep, judged } = inspector(fake, 60_000, [12]);
    await deep.committed(12, 'https://mail.example.org/', true);
    fake.emit(12, 'Network.responseReceived', { type: 'Document', frameId: 'child', response: { url: 'https://frame.example.net/', connectionId: 5, securityDetails: { issuer: 'Tapguard Lab Root CA' } } });
    fake.emit(12, 'Network.responseReceived', { type: 'Document', frameId: 'main', response: { url: 'https://news.example.com/', connectionId: 6, securityDetails: { issuer: 'Tapguard Lab Root CA' } } });
    await settle();
    expect(judged.map((c) => [c.url, c.resourceType])).toEqual([['https://frame.example.net/', 'sub_frame']]);
  });

  it('keeps the debugger and what it judged through a navigation that never commits (a 204 answer)', async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, statuses } = inspector(fake, 60_000, [13]);
    await deep.committed(13, 'https://mail.example.org/', true);
    fake.emit(13, 'Network.responseReceived', documentResponse(1));
    await settle();
    const shown = statuses.at(-1);
    expect(shown).toEqual({ state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger' }] });
    // location.href to a 204 on the same host, then to another host: neither commits.
    await deep.navigating(13, 'https://mail.example.org/no-content', true);
    await deep.navigating(13, 'https://news.example.com/no-content', true);
    expect(deep.isAttached(13)).toBe(true);
    expect(fake.calls).not.toContain('detach 13');
    expect(statuses.at(-1)).toEqual(shown);
    // Only a document that commits ends it.
    await deep.committed(13, 'https://news.example.com/', true);
    expect(fake.calls).toContain('detach 13');
    expect(statuses.at(-1)).toBeUndefined();
  });

  it('shows the page it judged by a probe unchanged while a navigation that never commits brings a response of its own', async () => {
    const afterProbe = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ afterProbe });
    const { deep, statuses } = inspector(fake, 0, [15]);
    await deep.committed(15, 'https://mail.example.org/', true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const shown = statuses.at(-1);
    expect(shown).toEqual({ state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger-probe' }] });
    // location.href to a 204 on the same host: the debugger sees that document's response, but it never commits.
    await deep.navigating(15, 'https://mail.example.org/no-content', true);
    fake.emit(15, 'Network.responseReceived', documentResponse(2));
    await settle();
    expect(statuses.at(-1)).toEqual(shown);
  });

  it("keeps what the new page's own response showed before its commit, and does not probe it again", async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, judged, statuses } = inspector(fake, 0, [14]);
    await deep.committed(14, 'https://mail.example.org/', true);
    fake.emit(14, 'Network.responseReceived', documentResponse(1));
    await settle();
    await deep.navigating(14, 'https://mail.example.org/inbox', true);
    fake.emit(14, 'Network.responseReceived', documentResponse(2));
    await settle();
    await deep.committed(14, 'https://mail.example.org/inbox', true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(judged).toHaveLength(2);
    expect(statuses.at(-1)).toEqual({ state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger' }] });
    expect(fake.calls.some((c) => c.startsWith('Runtime.evaluate'))).toBe(false);
  });

  it('attaches when a navigation to mail starts, and probes the page only once it committed', async () => {
    const afterProbe = new Map([['https://mail.example.org', [der(certs.copycatLeaf.certPem), der(certs.copycatCa.certPem)]]]);
    const fake = fakeDebugger({ afterProbe });
    const { deep, judged } = inspector(fake, 0, [15]);
    await deep.navigating(15, 'https://mail.example.org/', true);
    expect(deep.isAttached(15)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.calls.some((c) => c.startsWith('Runtime.evaluate'))).toBe(false);
    await deep.committed(15, 'https://mail.example.org/', true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(judged.map((c) => [c.url, c.source])).toEqual([['https://mail.example.org/', 'debugger-probe']]);
  });

  it("tells the popup the page's own certificate however many other hosts the session judged", async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    for (let i = 0; i < 30; i++) chains.set(`https://cdn${i}.example.net`, [der(certs.leafB.certPem), der(certs.ca.certPem)]);
    const fake = fakeDebugger({ chains });
    const { deep, statuses } = inspector(fake, 60_000, [16]);
    await deep.committed(16, 'https://mail.example.org/', true);
    fake.emit(16, 'Network.responseReceived', documentResponse(1));
    for (let i = 0; i < 30; i++) fake.emit(16, 'Network.responseReceived', { type: 'Script', frameId: 'main', response: { url: `https://cdn${i}.example.net/app.js`, connectionId: 100 + i, securityDetails: { issuer: 'Tapguard Lab Root CA' } } });
    await settle();
    const last = statuses.at(-1);
    expect(last?.state === 'attached' && last.judged).toHaveLength(20);
    expect(last?.state === 'attached' && last.judged?.[0]).toEqual({ host: 'mail.example.org', what: 'page', source: 'debugger' });
    expect(last?.state === 'attached' && last.judged?.at(-1)).toEqual({ host: 'cdn29.example.net', what: 'request', source: 'debugger' });
  });
});
