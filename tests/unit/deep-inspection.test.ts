import { describe, expect, it } from 'vitest';
import { createDeepInspector, type DebuggerApi, type DeepStatus } from '@/lib/chrome/deep-inspection';

function fakeDebugger(options: { failAttach?: string } = {}) {
  const calls: string[] = [];
  const eventListeners: Array<(source: { tabId?: number }, method: string, params?: unknown) => void> = [];
  const detachListeners: Array<(source: { tabId?: number }, reason: string) => void> = [];
  const api: DebuggerApi = {
    attach: async ({ tabId }) => {
      calls.push(`attach ${tabId}`);
      if (options.failAttach) throw new Error(options.failAttach);
    },
    detach: async ({ tabId }) => void calls.push(`detach ${tabId}`),
    sendCommand: async ({ tabId }, method) => {
      calls.push(`${method} ${tabId}`);
      return method === 'Network.getCertificate' ? { tableNames: [] } : {};
    },
    onEvent: { addListener: (l) => void eventListeners.push(l) },
    onDetach: { addListener: (l) => void detachListeners.push(l) },
  };
  return { api, calls, emit: (tabId: number, method: string, params: unknown) => eventListeners.forEach((l) => l({ tabId }, method, params)), detach: (tabId: number, reason: string) => detachListeners.forEach((l) => l({ tabId }, reason)) };
}

const isMessagingUrl = (url: string) => url.startsWith('https://mail.example.org/');

describe('deep inspection', () => {
  it('attaches only to mail tabs and detaches when they leave', async () => {
    const fake = fakeDebugger();
    const statuses: Array<DeepStatus | undefined> = [];
    const deep = createDeepInspector({ api: fake.api, isMessagingUrl, onCertificate: () => {}, onStatus: (_t, s) => statuses.push(s) });
    await deep.follow(1, 'https://news.example.com/', true);
    await deep.follow(1, 'https://mail.example.org/', true);
    await deep.follow(1, 'https://mail.example.org/inbox', true);
    await deep.follow(1, 'https://news.example.com/', true);
    expect(fake.calls).toEqual(['attach 1', 'Network.enable 1', 'detach 1']);
    expect(statuses).toEqual([{ state: 'attached' }, undefined]);
  });
  it('does nothing while the user has not opted in', async () => {
    const fake = fakeDebugger();
    const deep = createDeepInspector({ api: fake.api, isMessagingUrl, onCertificate: () => {}, onStatus: () => {} });
    await deep.follow(1, 'https://mail.example.org/', false);
    expect(fake.calls).toEqual([]);
  });
  it('says so when it cannot attach (DevTools open), and records nothing', async () => {
    const fake = fakeDebugger({ failAttach: 'Another debugger is already attached to the tab with id: 5.' });
    const statuses: Array<DeepStatus | undefined> = [];
    const certs: unknown[] = [];
    const deep = createDeepInspector({ api: fake.api, isMessagingUrl, onCertificate: (_t, c) => certs.push(c), onStatus: (_t, s) => statuses.push(s) });
    await deep.follow(5, 'https://mail.example.org/', true);
    fake.emit(5, 'Network.responseReceived', { type: 'Document', response: { url: 'https://mail.example.org/', securityDetails: { issuer: 'x' } } });
    expect(statuses).toEqual([{ state: 'failed', reason: 'Another debugger is already attached to the tab with id: 5.' }]);
    expect(deep.isAttached(5)).toBe(false);
    expect(certs).toEqual([]);
  });
  it('asks for each certificate once per origin, and reports the banner being cancelled', async () => {
    const fake = fakeDebugger();
    const statuses: Array<DeepStatus | undefined> = [];
    const deep = createDeepInspector({ api: fake.api, isMessagingUrl, onCertificate: () => {}, onStatus: (_t, s) => statuses.push(s) });
    await deep.follow(2, 'https://mail.example.org/', true);
    const response = { type: 'Script', response: { url: 'https://mail.example.org/app.js', securityDetails: { issuer: 'R11', subjectName: 'mail.example.org' } } };
    fake.emit(2, 'Network.responseReceived', response);
    fake.emit(2, 'Network.responseReceived', response);
    fake.emit(2, 'Network.responseReceived', { type: 'Script', response: { url: 'https://cdn.other.test/x.js', securityDetails: { issuer: 'R11' } } });
    expect(fake.calls.filter((c) => c.startsWith('Network.getCertificate'))).toEqual(['Network.getCertificate 2']);
    fake.detach(2, 'canceled_by_user');
    expect(statuses.at(-1)).toEqual({ state: 'detached', reason: 'canceled_by_user' });
  });
});
