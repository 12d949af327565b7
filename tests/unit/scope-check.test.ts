import { describe, expect, it } from 'vitest';
import { createScopeCheck } from '@/lib/background/scope-check';
import type { TabSession } from '@/lib/background/session-scope';
import { resolveSite, type SiteLists } from '@/lib/core/sites';

const lists: SiteLists = { userSites: [], recognisedHosts: { 'mail.example.org': 'roundcube' } };
const mail = resolveSite('mail.example.org', lists)!;
const sessions = new Map<number, TabSession>([[9, { tabId: 9, pageUrl: 'https://mail.example.org/', site: mail }]]);
const loaded = createScopeCheck(() => lists, (tabId) => sessions.get(tabId));
const loading = createScopeCheck(() => undefined, (tabId) => sessions.get(tabId));
const request = (url: string, tabId = 3) => ({ url, tabId, type: 'xmlhttprequest' });

describe('scope check: one answer per question', () => {
  it('answers "is this URL mail or chat" from the lists: strict, lenient, or not known yet', () => {
    expect(loaded.isMessagingUrl('https://mail.example.org/')).toBe(true);
    expect(loaded.isMessagingUrl('https://news.example.com/')).toBe(false);
    expect(loaded.mayBeMessaging('https://news.example.com/')).toBe(false);
    expect(loaded.knownMessagingUrl('https://news.example.com/')).toBe(false);
    // Before the lists load (a woken worker's first turn): no for the strict form, yes for the lenient one.
    expect(loading.isMessagingUrl('https://mail.example.org/')).toBe(false);
    expect(loading.mayBeMessaging('https://news.example.com/')).toBe(true);
    expect(loading.knownMessagingUrl('https://mail.example.org/')).toBeUndefined();
  });
  it("puts a request in scope by its own host or by its tab's session, whatever its host", () => {
    expect(loaded.isInScope(request('https://mail.example.org/api'))).toMatchObject({ how: 'own-host' });
    expect(loaded.isInScope(request('https://push.example.net/', 9))).toMatchObject({ how: 'tab', pageHost: 'mail.example.org' });
    expect(loaded.isInScope(request('https://push.example.net/'))).toBeUndefined();
    expect(loaded.mayBeInScope(request('https://push.example.net/'))).toBe(false);
  });
  it('counts a request as possibly in scope while the lists load, and never as in scope', () => {
    expect(loading.isInScope(request('https://mail.example.org/api'))).toBeUndefined();
    expect(loading.mayBeInScope(request('https://push.example.net/'))).toBe(true);
  });
  it('is "its URL may be mail or chat, or it is in the session" in one question', () => {
    for (const [url, tabId] of [['https://mail.example.org/x', 3], ['https://push.example.net/', 9], ['https://push.example.net/', 3], ['wss://gateway.discord.gg/', -1]] as const) {
      const r = request(url, tabId);
      expect(loaded.mayBeInScope(r)).toBe(loaded.mayBeMessaging(url) || loaded.isInScope(r) !== undefined);
    }
  });
});
