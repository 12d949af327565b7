import { fakeBrowser } from 'wxt/testing/fake-browser';
import { describe, expect, it } from 'vitest';
import { createSessionScopes, scopeOf, type TabSession } from '@/lib/background/session-scope';
import { resolveSite, type SiteLists } from '@/lib/core/sites';
import { serviceForHost, serviceForMessageHost } from '@/lib/core/sites/services';

const lists: SiteLists = { userSites: ['chat.example.org'], recognisedHosts: { 'mail.example.org': 'roundcube' } };
const telegram = resolveSite('web.telegram.org', lists)!;
const mail = resolveSite('mail.example.org', lists)!;
const sessions = new Map<number, TabSession>([
  [7, { tabId: 7, pageUrl: 'https://web.telegram.org/k/', site: telegram }],
  [9, { tabId: 9, pageUrl: 'https://mail.example.org/', site: mail }],
]);
const sessionOf = (tabId: number) => sessions.get(tabId);
const request = (url: string, patch: Partial<{ tabId: number; type: string; documentUrl: string; initiator: string }> = {}) => ({ url, tabId: -1, type: 'xmlhttprequest', ...patch });

describe('session scope', () => {
  it("puts every request of a watched tab's page and frames in scope, whatever the host, under the page's profile", () => {
    const socket = scopeOf(request('wss://zws2.web.telegram.org/apiws', { tabId: 7, type: 'websocket' }), sessionOf, lists);
    expect(socket).toMatchObject({ how: 'tab', pageHost: 'web.telegram.org', site: { host: 'zws2.web.telegram.org', name: 'Telegram Web', source: 'builtin' } });
    const api = scopeOf(request('https://api.mail.example.org/v1/messages', { tabId: 9 }), sessionOf, lists);
    expect(api).toMatchObject({ how: 'tab', pageHost: 'mail.example.org', site: { host: 'api.mail.example.org', source: 'recognised' } });
  });
  it('keeps the own-host rule: a listed host is in scope in any tab', () => {
    expect(scopeOf(request('https://chat.example.org/x', { tabId: 42 }), sessionOf, lists)).toMatchObject({ how: 'own-host', site: { host: 'chat.example.org' } });
  });
  it('leaves out requests of tabs without a session, and the next top-level navigation of a watched tab', () => {
    expect(scopeOf(request('https://api.mail.example.org/v1', { tabId: 3 }), sessionOf, lists)).toBeUndefined();
    expect(scopeOf(request('https://news.example.com/', { tabId: 9, type: 'main_frame' }), sessionOf, lists)).toBeUndefined();
  });
  it('believes the document or initiator only for requests without a tab (service workers)', () => {
    expect(scopeOf(request('https://push.example.org/', { documentUrl: 'https://mail.example.org/' }), sessionOf, lists)).toMatchObject({ how: 'document', pageHost: 'mail.example.org' });
    expect(scopeOf(request('https://push.example.org/', { initiator: 'https://mail.example.org' }), sessionOf, lists)).toMatchObject({ how: 'document' });
    // In a tab, the tab decides: an ordinary page's frame of a watched origin does not bring its requests in.
    expect(scopeOf(request('https://push.example.org/', { tabId: 3, initiator: 'https://mail.example.org' }), sessionOf, lists)).toBeUndefined();
  });
  it('checks the hosts a service is known to carry messages on from their first request, even without a tab', () => {
    expect(scopeOf(request('wss://gateway.discord.gg/?v=10', { type: 'websocket' }), sessionOf, lists)).toMatchObject({ how: 'message-host', site: { host: 'gateway.discord.gg', name: 'Discord' } });
    // From a tab that shows no mail or chat, the same host is that page's business.
    expect(scopeOf(request('https://graph.microsoft.com/v1.0/me', { tabId: 3 }), sessionOf, lists)).toBeUndefined();
    expect(serviceForMessageHost('venus.web.telegram.org')?.id).toBe('telegram');
    expect(serviceForMessageHost('matrix-client.matrix.org')?.id).toBe('element');
    expect(serviceForMessageHost('graph.microsoft.com')).toBeDefined();
    expect(serviceForMessageHost('www.google.com')).toBeUndefined();
    // Message hosts are not pages: they get no content script and no site of their own.
    expect(serviceForHost('gateway.discord.gg')).toBeUndefined();
  });
});

describe('session store', () => {
  it('starts a session for a watched document, ends it for any other, and survives a worker restart', async () => {
    const scopes = createSessionScopes();
    await scopes.commit(7, 'https://web.telegram.org/k/?tgaddr=secret#@123', telegram);
    expect(scopes.get(7)).toEqual({ tabId: 7, pageUrl: 'https://web.telegram.org/k/', site: telegram });
    // A new worker reads what the old one stored.
    const restarted = createSessionScopes();
    await restarted.ready;
    expect(restarted.get(7)?.site.host).toBe('web.telegram.org');
    await restarted.commit(7, 'https://news.example.com/', undefined);
    expect(restarted.get(7)).toBeUndefined();
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });
  it('writes nothing for tabs that never showed mail or chat', async () => {
    const scopes = createSessionScopes();
    await scopes.commit(5, 'https://news.example.com/', undefined);
    await scopes.end(5);
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });
});
