import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { parseHostPattern, resolveSite, resolveSiteForUrl } from '@/lib/core/sites';
import { recogniseMessagingPage } from '@/lib/core/sites/recognise';
import { SERVICES, serviceAddresses, serviceForHost } from '@/lib/core/sites/services';

const none = { userSites: [], recognisedHosts: {} };

function doc(html: string): Document {
  const window = new Window({ url: 'https://mail.example.org/' });
  window.document.write(html);
  return window.document as unknown as Document;
}

describe('resolveSite', () => {
  it('knows the built-in services the issue lists', () => {
    const expected = ['mail.google.com', 'outlook.live.com', 'mail.yahoo.com', 'mail.proton.me', 'app.tuta.com', 'mail.zoho.com', 'navigator.gmx.net', 'navigator.web.de', 'web.whatsapp.com', 'web.telegram.org', 'app.element.io', 'www.messenger.com', 'teams.microsoft.com', 'web.skype.com', 'acme.slack.com', 'discord.com', 'chat.google.com'];
    for (const host of expected) expect(resolveSite(host, none)?.source, host).toBe('builtin');
  });
  it('leaves the rest of a company domain alone', () => {
    for (const host of ['www.google.com', 'docs.google.com', 'www.yahoo.com', 'slack.com.evil.test']) expect(resolveSite(host, none), host).toBeUndefined();
  });
  it('adds user sites and recognised hosts', () => {
    expect(resolveSite('mail.example.org', { userSites: ['*.example.org'], recognisedHosts: {} })?.source).toBe('user');
    expect(resolveSite('mail.example.org', { userSites: [], recognisedHosts: { 'mail.example.org': 'roundcube' } })).toMatchObject({ source: 'recognised', name: 'Roundcube on mail.example.org' });
  });
  it('never monitors local development hosts', () => {
    expect(resolveSite('localhost', { userSites: ['localhost'], recognisedHosts: {} })).toBeUndefined();
  });
  it('knows Google Meet, which took over calls from Hangouts', () => {
    expect(resolveSiteForUrl('https://meet.google.com/abc-defg-hij', none)).toMatchObject({ source: 'builtin', name: 'Google Meet' });
    expect(resolveSiteForUrl('https://www.google.com/search?q=meet', none)).toBeUndefined();
  });
  it('knows Messenger inside www.facebook.com by path, and leaves the rest of Facebook out', () => {
    for (const url of ['https://www.facebook.com/messages', 'https://www.facebook.com/messages/', 'https://www.facebook.com/messages/t/100012345678', 'https://www.facebook.com/messages/e2ee/t/1?x=1']) {
      expect(resolveSiteForUrl(url, none), url).toMatchObject({ source: 'builtin', name: 'Messenger', host: 'www.facebook.com' });
    }
    for (const url of ['https://www.facebook.com/', 'https://www.facebook.com/groups/123/messages', 'https://www.facebook.com/messages.fan', 'https://www.facebook.com/messagesfoo/t/1', 'https://www.facebook.com/?next=/messages/', 'https://www.facebook.com/watch#/messages/t/1', 'https://m.facebook.com/messages/t/1', 'not a url']) {
      expect(resolveSiteForUrl(url, none), url).toBeUndefined();
    }
    // Without a path the page could be any part of Facebook, so the host alone is not a service.
    expect(resolveSite('www.facebook.com', none)).toBeUndefined();
    expect(serviceForHost('www.facebook.com')).toBeUndefined();
    expect(serviceAddresses(SERVICES.find((s) => s.id === 'messenger-facebook')!)).toEqual(['www.facebook.com/messages']);
  });
  it('still honours a user who adds all of www.facebook.com', () => {
    expect(resolveSiteForUrl('https://www.facebook.com/groups/1', { userSites: ['www.facebook.com'], recognisedHosts: {} })?.source).toBe('user');
  });
  it('has unique service ids', () => {
    expect(new Set(SERVICES.map((s) => s.id)).size).toBe(SERVICES.length);
  });
});

describe('parseHostPattern', () => {
  it('accepts hosts, wildcards and pasted URLs', () => {
    expect(parseHostPattern(' Mail.Example.org ')).toBe('mail.example.org');
    expect(parseHostPattern('*.example.org')).toBe('*.example.org');
    expect(parseHostPattern('https://webmail.example.org/roundcube/?_task=login')).toBe('webmail.example.org');
  });
  it('rejects anything else', () => {
    for (const bad of ['', 'example', '*.', 'exa mple.org', '*.*.org', 'a'.repeat(300) + '.org']) expect(parseHostPattern(bad), bad).toBeUndefined();
  });
});

describe('recogniseMessagingPage', () => {
  const roundcubeLogin = `<title>Roundcube Webmail :: Welcome to Roundcube Webmail</title>
    <form id="login-form" action="./?_task=login"><input type="hidden" name="_token" value="x"><input type="hidden" name="_task" value="login">
    <input id="rcmloginuser" name="_user"><input id="rcmloginpwd" name="_pass" type="password"></form>
    <script src="program/js/app.min.js?s=1"></script>`;

  it('recognises a Roundcube login page', () => {
    expect(recogniseMessagingPage(doc(roundcubeLogin))?.id).toBe('roundcube');
  });
  it('does not recognise a page that merely mentions Roundcube', () => {
    expect(recogniseMessagingPage(doc('<title>Roundcube Webmail review</title><p>We tried Roundcube.</p>'))).toBeUndefined();
  });
  it('does not recognise an ordinary login form', () => {
    expect(recogniseMessagingPage(doc('<title>Shop</title><form><input name="user"><input type="password" name="pass"></form>'))).toBeUndefined();
  });
});
