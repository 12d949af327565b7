// @vitest-environment node
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabCerts, type LabCerts } from '../../lab/certs';
import { createDeepInspector, type DebuggerApi, type DeepStatus } from '@/lib/background/chrome/deep-inspection';
import type { CertObservation } from '@/lib/core/observations';

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

function inspector(fake: ReturnType<typeof fakeDebugger>, pageGraceMs = 60_000) {
  const statuses: Array<DeepStatus | undefined> = [];
  const judged: CertObservation[] = [];
  const deep = createDeepInspector({
    api: fake.api,
    isMessagingUrl,
    pageGraceMs,
    onCertificate: (_t, c) => judged.push(c),
    onStatus: (_t, s) => statuses.push(s),
  });
  return { deep, statuses, judged };
}

const documentResponse = (connectionId: number) => ({
  type: 'Document',
  response: { url: 'https://mail.example.org/', connectionId, securityDetails: { subjectName: 'mail.example.org', issuer: 'Tapguard Lab Root CA', protocol: 'TLS 1.3' } },
});

describe('deep inspection', () => {
  it('attaches only to mail tabs and detaches when they leave', async () => {
    const fake = fakeDebugger();
    const { deep, statuses } = inspector(fake);
    await deep.follow(1, 'https://news.example.com/', true);
    await deep.follow(1, 'https://mail.example.org/', true);
    await deep.follow(1, 'https://news.example.com/', true);
    expect(fake.calls).toEqual(['attach 1', 'Network.enable 1', 'detach 1']);
    expect(statuses).toEqual([{ state: 'attached', judged: [] }, undefined]);
  });

  it('does nothing while the user has not opted in', async () => {
    const fake = fakeDebugger();
    const { deep } = inspector(fake);
    await deep.follow(1, 'https://mail.example.org/', false);
    expect(fake.calls).toEqual([]);
  });

  it('says so when it cannot attach (DevTools open), and records nothing', async () => {
    const fake = fakeDebugger({ failAttach: 'Another debugger is already attached to the tab with id: 5.' });
    const { deep, statuses, judged } = inspector(fake);
    await deep.follow(5, 'https://mail.example.org/', true);
    fake.emit(5, 'Network.responseReceived', documentResponse(1));
    expect(statuses).toEqual([{ state: 'failed', reason: 'Another debugger is already attached to the tab with id: 5.' }]);
    expect(deep.isAttached(5)).toBe(false);
    expect(judged).toEqual([]);
  });

  it('judges each new connection once, by leaf fingerprint: a certificate swapped mid-session is judged', async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, judged, statuses } = inspector(fake);
    await deep.follow(2, 'https://mail.example.org/', true);
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
    await deep.follow(3, 'https://mail.example.org/?_task=mail', true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(judged.map((c) => [c.url, c.resourceType, c.source])).toEqual([['https://mail.example.org/?_task=mail', 'main_frame', 'debugger-probe']]);
    expect(statuses.at(-1)).toEqual({ state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger-probe' }] });
  });

  it('does not probe a page whose own response it judged', async () => {
    const chains = new Map([['https://mail.example.org', [der(certs.leafA.certPem), der(certs.ca.certPem)]]]);
    const fake = fakeDebugger({ chains });
    const { deep, judged } = inspector(fake, 10);
    await deep.follow(4, 'https://mail.example.org/', true);
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
    await deep.follow(7, 'https://mail.example.org/', true);
    fake.emit(7, 'Network.webSocketCreated', { requestId: 'w1', url: 'wss://socket.example.org/socket' });
    fake.emit(7, 'Network.webSocketCreated', { requestId: 'w2', url: 'wss://tracker.example.net/socket' });
    fake.emit(7, 'Network.webSocketHandshakeResponseReceived', { requestId: 'w1', response: { status: 101 } });
    fake.emit(7, 'Network.webSocketHandshakeResponseReceived', { requestId: 'w2', response: { status: 101 } });
    await settle();
    expect(judged.map((c) => [c.url, c.resourceType, c.source])).toEqual([['wss://socket.example.org/socket', 'websocket', 'debugger-probe']]);
    expect(statuses.at(-1)).toEqual({ state: 'attached', judged: [{ host: 'socket.example.org', what: 'socket', source: 'debugger-probe' }] });
    // The probe is a HEAD without cookies, from an isolated world, and never to a host that is not mail or chat.
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
    await deep.follow(8, 'https://mail.example.org/', true);
    fake.emit(8, 'Network.responseReceived', documentResponse(1));
    await settle();
    await deep.follow(8, 'https://mail.example.org/inbox', true);
    fake.emit(8, 'Network.responseReceived', documentResponse(1));
    await settle();
    expect(judged).toHaveLength(2);
  });
});

