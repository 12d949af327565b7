import { describe, expect, it } from 'vitest';
import { hostOf, isLocalDevelopmentHost, originOf, sanitiseUrl } from '@/lib/url';

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
