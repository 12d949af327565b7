import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@/lib/core/hash';
import { hostOf, isLocalDevelopmentHost, originAndPath, originOf, pathIdsHashed, queryNames, sanitiseUrl } from '@/lib/core/url';

const hashed = (segment: string) => `~${sha256Hex(segment).slice(0, 12)}`;

describe('sanitiseUrl', () => {
  it('keeps origin and path, drops query and fragment that may hold message ids', () => {
    expect(sanitiseUrl('https://mail.google.com/mail/u/0/?ui=2&th=18c#inbox/FMfcgz')).toBe('https://mail.google.com/mail/u/0/');
  });
  it('returns an empty string for garbage', () => {
    expect(sanitiseUrl('not a url')).toBe('');
  });
  it('reduces data: and blob: URLs to their scheme', () => {
    expect(sanitiseUrl('data:text/javascript,alert(1)')).toBe('data:');
  });
});

describe('ids in paths and queries (privacy)', () => {
  it('drops Roundcube folder names and searches with the query', () => {
    const url = 'https://webmail.example.org/?_task=mail&_mbox=INBOX%2FSources&_search=from%3Aalice%40example.org&_uid=4711';
    expect(sanitiseUrl(url)).toBe('https://webmail.example.org/');
    expect(queryNames(new URL(url).searchParams)).toEqual(['_mbox', '_search', '_task', '_uid']);
  });

  it('keeps no query name that is itself data', () => {
    expect(queryNames(new URLSearchParams('alice@example.org&_task=mail&a%20b=1&0123456789abcdef=1'))).toEqual(['_task']);
  });

  it('hashes Outlook message ids, keeping the route', () => {
    const id = 'AAQkADAwATM0MDAAMS1hZjBhLTkyNjQtMDACLTAwCgAQAJ5%2BAbCdEfGh1234%3D';
    expect(sanitiseUrl(`https://outlook.live.com/mail/0/inbox/id/${id}`)).toBe(`https://outlook.live.com/mail/0/inbox/id/${hashed(id)}`);
    expect(sanitiseUrl('https://outlook.office.com/mail/deeplink/read/AAMkAGI2TG93AAA%3D')).toMatch(/^https:\/\/outlook\.office\.com\/mail\/deeplink\/read\/~[0-9a-f]{12}$/);
  });

  it('hashes Jitsi room names, on meet.jit.si and self-hosted', () => {
    expect(sanitiseUrl('https://meet.jit.si/FamilyCallSunday')).toBe(`https://meet.jit.si/${hashed('FamilyCallSunday')}`);
    expect(sanitiseUrl('https://meet.example.org/lawyerclient#config.startWithAudioMuted=true')).toBe(`https://meet.example.org/${hashed('lawyerclient')}`);
  });

  it('hashes addresses, long numbers, hex, UUIDs and mixed ids, and what follows a conversation word', () => {
    expect(pathIdsHashed('/SOGo/so/alice@example.org/Mail/view')).toBe(`/SOGo/so/${hashed('alice@example.org')}/Mail/view`);
    expect(pathIdsHashed('/SOGo/so/alice%40example.org/Mail')).toBe(`/SOGo/so/${hashed('alice%40example.org')}/Mail`);
    expect(pathIdsHashed('/channels/123456789012345678/987654321098765432')).toBe(`/channels/${hashed('123456789012345678')}/${hashed('987654321098765432')}`);
    expect(pathIdsHashed('/client/T01ABCDEF/C02GHIJKL')).toBe(`/client/${hashed('T01ABCDEF')}/${hashed('C02GHIJKL')}`);
    expect(pathIdsHashed('/msg/0f3a9c2e7b')).toBe(`/msg/${hashed('0f3a9c2e7b')}`);
    expect(pathIdsHashed('/t/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe(`/t/${hashed('3f2504e0-4f89-11d3-9a0c-0305e82c3301')}`);
    expect(pathIdsHashed('/direct/alice')).toBe(`/direct/${hashed('alice')}`);
    expect(pathIdsHashed('/team/messages/@bob')).toBe(`/team/messages/${hashed('@bob')}`);
  });

  it('keeps app routes and code files readable', () => {
    for (const path of ['/', '/mail/u/0/', '/owa/', '/roundcube/', '/mail', '/program/js/app.min.js', '/static/jquery-3.7.1.min.js', '/index.php', '/SOGo/so/', '/socket', '/xmpp-websocket']) expect(pathIdsHashed(path), path).toBe(path);
  });

  it('hashes the same segment the same way, so dedupe keys and baselines still match', () => {
    expect(sanitiseUrl('https://meet.jit.si/RoomA')).toBe(sanitiseUrl('https://meet.jit.si/RoomA?x=1'));
    expect(sanitiseUrl('https://meet.jit.si/RoomA')).not.toBe(sanitiseUrl('https://meet.jit.si/RoomB'));
  });

  it('leaves the path alone in the content script (the background hashes it before storing)', () => {
    expect(originAndPath('https://meet.jit.si/FamilyCallSunday?x=1#y')).toBe('https://meet.jit.si/FamilyCallSunday');
  });
});

describe('hosts and origins', () => {
  it('lower-cases hosts and keeps ports out of the host', () => {
    expect(hostOf('https://MAIL.Example.org:8443/x')).toBe('mail.example.org');
    expect(originOf('https://mail.example.org:8443/x?y')).toBe('https://mail.example.org:8443');
  });
  it('treats loopback and *.localhost as development hosts', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '[::1]']) expect(isLocalDevelopmentHost(host)).toBe(true);
    expect(isLocalDevelopmentHost('mail.example.org')).toBe(false);
  });
});
