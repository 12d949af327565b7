import { describe, expect, it, vi } from 'vitest';
import { messageHostPatterns, patternsForSchemes, wantedScopeFilters } from '@/lib/background/request-scope/filters';
import { createListenerRegistrar, type RequestEventLike, type ScopedRequest, type RequestFilterLike } from '@/lib/background/request-scope/registrar';
import { createRequestScope } from '@/lib/background/request-scope/scope';
import { createSessionScopes } from '@/lib/background/session-scope';
import { resolveSite, resolveSiteForUrl, type SiteLists } from '@/lib/core/sites';

interface Request extends ScopedRequest {
  type: string;
}

/** A match pattern as Firefox reads it: `*` scheme is http(s) and ws(s), the port is ignored, the path glob covers path and query. */
function matches(pattern: string, url: string): boolean {
  if (pattern === '<all_urls>') return /^(https?|wss?):/.test(url);
  const [, scheme = '', host = '', path = ''] = /^(\*|[a-z]+):\/\/([^/]+)(\/.*)$/.exec(pattern)!;
  const parsed = new URL(url);
  const schemeOk = scheme === '*' ? ['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol) : parsed.protocol === `${scheme}:`;
  const hostOk = host === '*' || (host.startsWith('*.') ? parsed.hostname === host.slice(2) || parsed.hostname.endsWith(host.slice(1)) : parsed.hostname === host);
  const glob = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return schemeOk && hostOk && glob.test(`${parsed.pathname}${parsed.search}`);
}

/** A webRequest event that dispatches like Firefox: every listener whose filter matches, in turn. */
function fakeEvent() {
  const listeners: { callback: (details: Request) => unknown; filter: RequestFilterLike; extra?: string[] }[] = [];
  const log: string[] = [];
  const event: RequestEventLike<Request> = {
    addListener(callback, filter, extra) {
      for (const url of filter.urls) if (url !== '<all_urls>' && !/^(\*|[a-z]+):\/\/[^/]+\/.*$/.test(url)) throw new Error(`Invalid url pattern: ${url}`);
      listeners.push({ callback, filter, extra });
      log.push(`add ${filter.tabId ?? filter.urls.length}`);
    },
    removeListener(callback) {
      const index = listeners.findIndex((l) => l.callback === callback);
      const [removed] = index >= 0 ? listeners.splice(index, 1) : [];
      if (removed) log.push(`remove ${removed.filter.tabId ?? removed.filter.urls.length}`);
    },
  };
  let nextId = 1;
  const dispatch = (url: string, tabId: number, type = 'xmlhttprequest') => {
    const details: Request = { requestId: String(nextId++), url, tabId, type, timeStamp: 1000 + nextId };
    const reached = listeners.filter(({ filter }) => (filter.tabId === undefined || filter.tabId === tabId) && (!filter.types || filter.types.includes(type)) && filter.urls.some((p) => matches(p, url)));
    for (const { callback } of reached) callback({ ...details });
    return reached.length;
  };
  return { event, listeners, log, dispatch };
}

const lists: SiteLists = { userSites: ['chat.example.org'], recognisedHosts: { 'mail.example.org': 'roundcube' } };
const options = { types: ['main_frame', 'sub_frame', 'script', 'xmlhttprequest', 'websocket'], extraInfoSpec: ['blocking'], onError: vi.fn() };

describe('what the scoped network listeners are registered for', () => {
  it('before storage is read: the built-in services and the hosts carrying their messages, never every URL', () => {
    const { hosts, tabs } = wantedScopeFilters(undefined, []);
    expect(hosts).toContain('*://web.telegram.org/*');
    expect(hosts).toContain('*://*.web.telegram.org/*');
    expect(hosts).toContain('*://gateway.discord.gg/*');
    expect(hosts).toContain('*://mail.google.com/*');
    // Messenger by path: the rest of Facebook stays out.
    expect(hosts).toContain('*://www.facebook.com/messages/*');
    expect(hosts).not.toContain('*://www.facebook.com/*');
    expect(hosts.some((p) => p.includes('<all_urls>') || p.startsWith('*://*/'))).toBe(false);
    expect(tabs).toEqual([]);
    expect(messageHostPatterns()).toContain('*://matrix-client.matrix.org/*');
  });
  it("adds the user's and the recognised hosts once the lists are known, and the scoped tabs, each once", () => {
    const { hosts, tabs } = wantedScopeFilters(lists, [9, 3, 9, -1]);
    expect(hosts).toEqual(expect.arrayContaining(['*://chat.example.org/*', '*://mail.example.org/*']));
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(tabs).toEqual([3, 9]);
  });
});

describe('the listener registrar', () => {
  it('lets no request of an ordinary tab reach the handler, and every request of a scoped tab whatever its host, once', () => {
    const { event, dispatch } = fakeEvent();
    const handler = vi.fn();
    const registrar = createListenerRegistrar(event, handler, options);
    registrar.apply(wantedScopeFilters(lists, [9]));
    // Tab 3 shows an ordinary page: none of its requests is seen, on any host it uses.
    expect(dispatch('https://news.example.com/', 3, 'main_frame')).toBe(0);
    expect(dispatch('https://cdn.example.net/app.js', 3, 'script')).toBe(0);
    expect(dispatch('wss://push.example.net/socket', 3, 'websocket')).toBe(0);
    expect(handler).not.toHaveBeenCalled();
    // Tab 9 is in a session: its API host and its socket host are seen, though no list names them.
    dispatch('https://api.mail.example.org/v1/messages', 9);
    dispatch('wss://ws.mail.example.org/socket', 9, 'websocket');
    expect(handler.mock.calls.map(([d]) => (d as Request).url)).toEqual(['https://api.mail.example.org/v1/messages', 'wss://ws.mail.example.org/socket']);
    // The mail host's own request in the mail tab matches both listeners: judged once.
    handler.mockClear();
    expect(dispatch('https://mail.example.org/?_task=mail', 9, 'main_frame')).toBe(2);
    expect(handler).toHaveBeenCalledTimes(1);
    // A listed host in any tab, and a message host without a tab (a service worker's socket).
    handler.mockClear();
    dispatch('https://chat.example.org/', 3, 'sub_frame');
    dispatch('wss://zws2.web.telegram.org/apiws', -1, 'websocket');
    expect(handler).toHaveBeenCalledTimes(2);
    expect(registrar.registered().tabs).toEqual([9]);
  });
  it('touches nothing when the filters are unchanged, and adds a new host listener before removing the old one', () => {
    const { event, log, listeners } = fakeEvent();
    const registrar = createListenerRegistrar(event, vi.fn(), options);
    registrar.apply(wantedScopeFilters(undefined, []));
    const builtIn = wantedScopeFilters(undefined, []).hosts.length;
    expect(log).toEqual([`add ${builtIn}`]);
    registrar.apply(wantedScopeFilters(undefined, []));
    expect(log).toHaveLength(1);
    registrar.apply(wantedScopeFilters(lists, [4]));
    expect(log.slice(1)).toEqual([`add ${builtIn + 2}`, `remove ${builtIn}`, 'add 4']);
    registrar.apply(wantedScopeFilters(lists, []));
    expect(log.at(-1)).toBe('remove 4');
    expect(listeners).toHaveLength(1);
    expect(listeners[0]?.filter.types).toEqual(options.types);
    expect(listeners[0]?.extra).toEqual(['blocking']);
  });
  it('keeps the previous host listener when the browser refuses a pattern', () => {
    const { event, listeners } = fakeEvent();
    const onError = vi.fn();
    const registrar = createListenerRegistrar(event, vi.fn(), { ...options, onError });
    registrar.apply({ hosts: ['*://mail.example.org/*'], tabs: [] });
    registrar.apply({ hosts: ['not a pattern'], tabs: [] });
    expect(onError).toHaveBeenCalledOnce();
    expect(listeners.map((l) => l.filter.urls)).toEqual([['*://mail.example.org/*']]);
  });
});

describe('the request scope', () => {
  const isMessagingUrl = (url: string) => resolveSiteForUrl(url, lists) !== undefined;

  it("covers a tab from its navigation to a mail page, through its session, until it commits another page", async () => {
    const { event, dispatch } = fakeEvent();
    const handler = vi.fn();
    let blocking: ReturnType<typeof createRequestScope> | undefined = undefined;
    const scopes = createSessionScopes(() => blocking?.refresh());
    const loaded: { lists?: SiteLists } = {};
    blocking = createRequestScope({ lists: () => loaded.lists, sessionTabs: () => scopes.tabs(), isMessagingUrl });
    const registrar = blocking.register(event, handler, options);
    // Registered at once, for the built-in services, before the lists load.
    expect(registrar.registered().hosts).toContain('*://mail.google.com/*');
    expect(registrar.registered().hosts).not.toContain('*://mail.example.org/*');
    loaded.lists = lists;
    blocking.refresh();
    expect(registrar.registered().hosts).toContain('*://mail.example.org/*');

    // The main frame's request: the tab counts before its document commits, so the API request
    // the page makes right after the commit already meets a listener.
    blocking.navigating(5, 'https://mail.example.org/?_task=mail');
    expect(dispatch('https://api.mail.example.org/v1', 5)).toBe(1);
    await scopes.commit(5, 'https://mail.example.org/?_task=mail', resolveSite('mail.example.org', lists));
    expect(registrar.registered().tabs).toEqual([5]);
    // Navigating away: the tab stays covered until the new document commits and the session ends.
    blocking.navigating(5, 'https://news.example.com/');
    expect(registrar.registered().tabs).toEqual([5]);
    await scopes.commit(5, 'https://news.example.com/', undefined);
    expect(registrar.registered().tabs).toEqual([]);
    handler.mockClear();
    expect(dispatch('https://api.mail.example.org/v1', 5)).toBe(0);
    expect(handler).not.toHaveBeenCalled();
  });
  it('covers a self-hosted page recognised only now, from its session, and forgets closed tabs', async () => {
    const { event } = fakeEvent();
    let blocking: ReturnType<typeof createRequestScope> | undefined = undefined;
    const scopes = createSessionScopes(() => blocking?.refresh());
    blocking = createRequestScope({ lists: () => lists, sessionTabs: () => scopes.tabs(), isMessagingUrl });
    const registrar = blocking.register(event, vi.fn(), options);
    blocking.navigating(6, 'https://team.example.net/');
    expect(registrar.registered().tabs).toEqual([]);
    await scopes.commit(6, 'https://team.example.net/', { host: 'team.example.net', name: 'Mattermost', source: 'recognised' });
    expect(registrar.registered().tabs).toEqual([6]);
    blocking.navigating(7, 'https://chat.example.org/');
    expect(registrar.registered().tabs).toEqual([6, 7]);
    blocking.forget(7);
    await scopes.end(6);
    expect(registrar.registered().tabs).toEqual([]);
  });

  it("Chrome's non-blocking listeners: every URL until the lists and sessions are read (a woken worker's first event), then only the scope", async () => {
    const { event, dispatch, listeners } = fakeEvent();
    const handler = vi.fn();
    let listening: ReturnType<typeof createRequestScope> | undefined = undefined;
    const scopes = createSessionScopes(() => listening?.refresh());
    const state: { lists?: SiteLists; sessionsRead: boolean } = { sessionsRead: false };
    listening = createRequestScope({ lists: () => state.lists, sessionTabs: () => scopes.tabs(), isMessagingUrl, ready: () => state.sessionsRead && state.lists !== undefined });
    const registrar = listening.register(event, handler, { types: ['script', 'object'], schemes: ['http', 'https'], onError: vi.fn() });
    expect(registrar.registered()).toEqual({ hosts: ['http://*/*', 'https://*/*'], tabs: [] });
    expect(dispatch('https://cdn.example.net/app.js', 3, 'script')).toBe(1);
    state.lists = lists;
    listening.refresh();
    // The lists alone are not enough: a session stored before the worker slept may still come.
    expect(dispatch('https://cdn.example.net/app.js', 3, 'script')).toBe(1);
    state.sessionsRead = true;
    listening.refresh();
    expect(listeners).toHaveLength(1);
    expect(listeners[0]?.filter.types).toEqual(['script', 'object']);
    expect(listeners[0]?.extra).toBeUndefined();
    handler.mockClear();
    // An ordinary tab's scripts no longer reach the extension; a session tab's do, from any host.
    expect(dispatch('https://cdn.example.net/app.js', 3, 'script')).toBe(0);
    await scopes.commit(9, 'https://mail.example.org/', resolveSite('mail.example.org', lists));
    expect(dispatch('https://cdn.example.net/app.js', 9, 'script')).toBe(1);
    expect(dispatch('https://cdn.example.net/app.js', 9, 'xmlhttprequest')).toBe(0);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('patterns narrowed to schemes', () => {
  it('rewrites any-scheme patterns per scheme, keeps those of a wanted scheme, drops the rest', () => {
    expect(patternsForSchemes(['<all_urls>'], ['http', 'ws'])).toEqual(['http://*/*', 'ws://*/*']);
    expect(patternsForSchemes(['*://mail.example.org/*', 'https://a.example/*', 'http://b.example/x*'], ['http', 'ws'])).toEqual([
      'http://mail.example.org/*',
      'ws://mail.example.org/*',
      'http://b.example/x*',
    ]);
    expect(patternsForSchemes(['*://mail.example.org/*'])).toEqual(['*://mail.example.org/*']);
  });
  it('a scheme-narrowed registrar never hands a clear-text listener an https request', () => {
    const { event, dispatch } = fakeEvent();
    const handler = vi.fn();
    const registrar = createListenerRegistrar(event, handler, { schemes: ['http', 'ws'], onError: vi.fn() });
    registrar.apply(wantedScopeFilters(lists, [9]));
    dispatch('https://mail.example.org/app.js', 9, 'script');
    dispatch('https://mail.example.org/app.js', 3, 'script');
    expect(handler).not.toHaveBeenCalled();
    dispatch('http://tracker.example.net/pixel.gif', 9, 'image');
    dispatch('ws://mail.example.org/socket', 3, 'websocket');
    dispatch('http://news.example.com/', 3, 'image');
    expect(handler.mock.calls.map(([d]) => (d as Request).url)).toEqual(['http://tracker.example.net/pixel.gif', 'ws://mail.example.org/socket']);
  });
});
