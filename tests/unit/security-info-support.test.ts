import { describe, expect, it, vi } from 'vitest';
import { PROBE_FILTER, securityInfoFilled, type SecurityInfoProbeDeps, type SecurityInfoSupport } from '@/lib/background/chrome/security-info-support';

type Listener = (details: { url: string; type: string; tabId: number; fromCache?: boolean; securityInfo?: unknown }) => void;

/** onHeadersReceived as the probe sees it; `refuse` stands for a browser that does not know the option. */
function fakeEvent(refuse = false) {
  const listeners: Listener[] = [];
  const event: SecurityInfoProbeDeps['event'] = {
    addListener: vi.fn((listener: Listener, filter: object, spec: string[]) => {
      if (refuse) throw new Error(`Invalid value for argument 3: ${spec.join()}`);
      expect(filter).toEqual(PROBE_FILTER);
      listeners.push(listener);
    }) as SecurityInfoProbeDeps['event']['addListener'],
    removeListener: vi.fn((listener: unknown) => void listeners.splice(listeners.indexOf(listener as Listener), 1)),
  };
  const respond = (details: Parameters<Listener>[0]) => [...listeners].forEach((l) => l(details));
  return { event, listeners, respond };
}

function fakeStore(initial?: unknown) {
  let value = initial;
  return { stored: vi.fn(async () => value), store: vi.fn(async (support: SecurityInfoSupport) => void (value = support)), get: () => value };
}

const BROWSER = 'Chrome/156.0.8078.114';
const response = { url: 'https://news.example.com/', type: 'main_frame', tabId: 3 };

describe('whether the browser fills the standard securityInfo', () => {
  it('measures it on the first https response off the network, removes the probe, and keeps the answer', async () => {
    const { event, listeners, respond } = fakeEvent();
    const store = fakeStore();
    const filled = securityInfoFilled({ browser: BROWSER, event, ...store });
    await vi.waitFor(() => expect(listeners).toHaveLength(1));
    respond({ ...response, fromCache: true, securityInfo: { state: 'secure', certificates: [] } });
    expect(listeners).toHaveLength(1);
    // Chromium 156: the option is accepted, the field never comes.
    respond(response);
    expect(await filled).toBe(false);
    expect(listeners).toHaveLength(0);
    expect(store.get()).toEqual({ browser: BROWSER, fills: false });
  });
  it('says yes when a response carries it', async () => {
    const { event, listeners, respond } = fakeEvent();
    const filled = securityInfoFilled({ browser: BROWSER, event, ...fakeStore() });
    await vi.waitFor(() => expect(listeners).toHaveLength(1));
    respond({ ...response, securityInfo: { state: 'secure', certificates: [] } });
    expect(await filled).toBe(true);
  });
  it('answers from storage for the same browser version, without listening to anything', async () => {
    const { event } = fakeEvent();
    expect(await securityInfoFilled({ browser: BROWSER, event, ...fakeStore({ browser: BROWSER, fills: false }) })).toBe(false);
    expect(await securityInfoFilled({ browser: BROWSER, event, ...fakeStore({ browser: BROWSER, fills: true }) })).toBe(true);
    expect(event.addListener).not.toHaveBeenCalled();
  });
  it('measures again for another browser version or a malformed record', async () => {
    for (const stored of [{ browser: 'Chrome/155.0.1.2', fills: true }, { browser: BROWSER, fills: 'yes' }, 'junk']) {
      const { event, listeners, respond } = fakeEvent();
      const filled = securityInfoFilled({ browser: BROWSER, event, ...fakeStore(stored) });
      await vi.waitFor(() => expect(listeners).toHaveLength(1));
      respond(response);
      expect(await filled).toBe(false);
    }
  });
  it('a browser that refuses the option does not fill it', async () => {
    const { event } = fakeEvent(true);
    const store = fakeStore();
    expect(await securityInfoFilled({ browser: BROWSER, event, ...store })).toBe(false);
    expect(store.get()).toEqual({ browser: BROWSER, fills: false });
  });
});
