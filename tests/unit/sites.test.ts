import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { parseHostPattern, resolveSite } from '@/lib/sites';
import { recogniseMessagingPage } from '@/lib/sites/recognise';
import { SERVICES } from '@/lib/sites/services';

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
