import { describe, expect, it } from 'vitest';
import { API_HINT_FILTER, createRecognition, injectRecogniser } from '@/lib/background/recognition';
import { RECOGNISE_SCRIPT } from '@/lib/background/content-scripts';

const KNOWN = new Set(['mail.example.org']);

function setup(listsLoaded = true) {
  const injected: number[] = [];
  const recognition = createRecognition({
    isKnownUrl: (url) => (listsLoaded ? KNOWN.has(new URL(url).hostname) : undefined),
    inject: async (tabId) => void injected.push(tabId),
    report: () => () => undefined,
  });
  return { recognition, injected };
}

const OWA = { 'X-OWA-Version': '15.1.2507.6' };
const headers = (h: Record<string, string>) => Object.entries(h).map(([name, value]) => ({ name, value }));
const respond = (r: ReturnType<typeof setup>['recognition'], tabId: number, url: string, h: Record<string, string> = {}, frameId = 0, statusCode = 200) =>
  r.documentResponse({ tabId, frameId, url, statusCode, responseHeaders: headers(h) });

describe('injecting the recogniser', () => {
  it('into a hinted page once it has committed', () => {
    const { recognition, injected } = setup();
    respond(recognition, 4, 'https://exchange.example.net/owa/', OWA);
    expect(injected).toEqual([]);
    expect(recognition.documentCommitted({ tabId: 4, frameId: 0, url: 'https://exchange.example.net/owa/#path=/mail' })).toBe(true);
    expect(injected).toEqual([4]);
  });

  it('into a hinted page whose commit reached the background before its response (Firefox can deliver them so)', () => {
    const { recognition, injected } = setup();
    expect(recognition.documentCommitted({ tabId: 4, frameId: 0, url: 'https://exchange.example.net/owa/', timeStamp: 1_002 })).toBe(false);
    recognition.documentResponse({ tabId: 4, frameId: 0, url: 'https://exchange.example.net/owa/', statusCode: 200, responseHeaders: headers(OWA), timeStamp: 1_000 });
    expect(injected).toEqual([4]);
    // An earlier document at the same URL is not this response's: a reload waits for its own commit.
    recognition.documentResponse({ tabId: 4, frameId: 0, url: 'https://exchange.example.net/owa/', statusCode: 200, responseHeaders: headers(OWA), timeStamp: 2_000 });
    expect(injected).toEqual([4]);
    expect(recognition.documentCommitted({ tabId: 4, frameId: 0, url: 'https://exchange.example.net/owa/', timeStamp: 2_003 })).toBe(true);
    expect(injected).toEqual([4, 4]);
  });

  it('never into an ordinary page', () => {
    const { recognition, injected } = setup();
    respond(recognition, 4, 'https://news.example.com/', { server: 'cloudflare', 'set-cookie': '_ga=1' });
    expect(recognition.documentCommitted({ tabId: 4, frameId: 0, url: 'https://news.example.com/' })).toBe(false);
    expect(recognition.apiRequest({ tabId: 4, frameId: 0, url: 'https://news.example.com/api/v1/items', initiator: 'https://news.example.com' })).toBe(false);
    expect(injected).toEqual([]);
  });

  it('not into a known host (watch is there), nor before the lists are loaded', () => {
    const known = setup();
    respond(known.recognition, 1, 'https://mail.example.org/?_task=mail');
    expect(known.recognition.documentCommitted({ tabId: 1, frameId: 0, url: 'https://mail.example.org/?_task=mail' })).toBe(false);
    const loading = setup(false);
    respond(loading.recognition, 1, 'https://webmail.example.net/?_task=mail');
    expect(loading.recognition.documentCommitted({ tabId: 1, frameId: 0, url: 'https://webmail.example.net/?_task=mail' })).toBe(false);
    expect([...known.injected, ...loading.injected]).toEqual([]);
  });

  it('not into frames, redirects, or a document that replaced the hinted one', () => {
    const { recognition, injected } = setup();
    respond(recognition, 2, 'https://exchange.example.net/owa/', OWA, 3);
    respond(recognition, 2, 'https://exchange.example.net/', OWA, 0, 302);
    expect(recognition.documentCommitted({ tabId: 2, frameId: 0, url: 'https://exchange.example.net/' })).toBe(false);
    respond(recognition, 2, 'https://exchange.example.net/owa/', OWA);
    respond(recognition, 2, 'https://news.example.com/', {});
    expect(recognition.documentCommitted({ tabId: 2, frameId: 0, url: 'https://news.example.com/' })).toBe(false);
    respond(recognition, 2, 'https://exchange.example.net/owa/', OWA);
    expect(recognition.documentCommitted({ tabId: 2, frameId: 0, url: 'https://other.example.com/' })).toBe(false);
    expect(recognition.documentCommitted({ tabId: 2, frameId: 1, url: 'https://exchange.example.net/owa/' })).toBe(false);
    expect(injected).toEqual([]);
  });

  it('on an API request only such apps make, once per document', () => {
    const { recognition, injected } = setup();
    const matrix = { tabId: 7, frameId: 0, url: 'https://matrix.example.net/_matrix/client/versions', initiator: 'https://element.example.net' };
    expect(recognition.apiRequest(matrix)).toBe(true);
    expect(recognition.apiRequest({ ...matrix, url: 'https://matrix.example.net/_matrix/client/v3/sync' })).toBe(false);
    // A worker's request (no tab) and a frame's do not count.
    expect(recognition.apiRequest({ ...matrix, tabId: -1 })).toBe(false);
    expect(recognition.apiRequest({ ...matrix, tabId: 8, frameId: 2 })).toBe(false);
    // A new document in the tab is injected again.
    respond(recognition, 7, 'https://element.example.net/', {});
    expect(recognition.apiRequest({ ...matrix, documentUrl: 'https://element.example.net/#/room/1' })).toBe(true);
    expect(injected).toEqual([7, 7]);
    // A page hinted twice (its response, then its API) gets one injection.
    respond(recognition, 9, 'https://exchange.example.net/owa/', OWA);
    expect(recognition.apiRequest({ tabId: 9, frameId: 0, url: 'https://exchange.example.net/http-bind', initiator: 'https://exchange.example.net' })).toBe(true);
    expect(recognition.documentCommitted({ tabId: 9, frameId: 0, url: 'https://exchange.example.net/owa/' })).toBe(false);
  });

  it('forgets the hint of a tab that closed', () => {
    const { recognition, injected } = setup();
    respond(recognition, 5, 'https://exchange.example.net/owa/', OWA);
    recognition.forgetTab(5);
    expect(recognition.documentCommitted({ tabId: 5, frameId: 0, url: 'https://exchange.example.net/owa/' })).toBe(false);
    expect(injected).toEqual([]);
  });

  it('injects the recognise entrypoint into the top frame, and filters API requests by path only', async () => {
    const calls: unknown[] = [];
    await injectRecogniser({ executeScript: async (injection) => void calls.push(injection) })(3);
    expect(calls).toEqual([{ target: { tabId: 3, frameIds: [0] }, files: [RECOGNISE_SCRIPT] }]);
    for (const pattern of API_HINT_FILTER.urls) expect(pattern, pattern).toMatch(/^(\*|wss?):\/\/\*\/./);
  });
});
