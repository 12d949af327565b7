import { describe, expect, it } from 'vitest';
import {
  cipherWeakness,
  detectHttpPage,
  detectDowngradeRedirect,
  detectHstsDropped,
  detectInsecureForms,
  detectInsecureWebSocket,
  detectMixedContent,
  detectWeakTls,
  parseHstsMaxAge,
} from '@/lib/core/detect/tls';
import { serviceForHost } from '@/lib/core/sites/services';
import { baseline, ctx } from './fixtures';

describe('tls.http-page', () => {
  it('is critical on a built-in service served over http', () => {
    const site = { host: 'mail.google.com', name: 'Gmail', source: 'builtin' as const, profile: serviceForHost('mail.google.com')! };
    const [finding] = detectHttpPage({ url: 'http://mail.google.com/mail/', scripts: [] }, ctx({ site }));
    expect(finding).toMatchObject({ rule: 'tls.http-page', severity: 'critical', host: 'mail.google.com' });
    expect(finding!.evidence.expectedHttpsBecause).toContain('Gmail');
  });

  it('fires on a self-hosted site whose baseline saw https', () => {
    const findings = detectHttpPage({ url: 'http://mail.example.org/', scripts: [] }, ctx({ baseline: baseline({ seenHttps: true, visits: 3 }) }));
    expect(findings.map((f) => f.rule)).toEqual(['tls.http-page']);
  });

  it('stays quiet for a self-hosted site never seen over https (nothing to compare with)', () => {
    expect(detectHttpPage({ url: 'http://mail.example.org/', scripts: [] }, ctx({ baseline: baseline({ visits: 3 }) }))).toEqual([]);
  });

  it('stays quiet over https', () => {
    expect(detectHttpPage({ url: 'https://mail.example.org/', scripts: [] }, ctx({ baseline: baseline({ seenHttps: true }) }))).toEqual([]);
  });
});


const site = { host: 'mail.example.org', name: 'x', source: 'recognised' as const };

describe('tls.https-to-http-redirect', () => {
  it('is critical when a secure link lands on the same host over http', () => {
    const [f] = detectDowngradeRedirect({ firstUrl: 'https://mail.example.org/', fromUrl: 'https://mail.example.org/', toUrl: 'http://mail.example.org/?x=1', resourceType: 'main_frame' }, ctx({ site }));
    expect(f).toMatchObject({ rule: 'tls.https-to-http-redirect', severity: 'critical', evidence: { toUrl: 'http://mail.example.org/' } });
  });
  it('catches a downgrade via an intermediate host', () => {
    const [f] = detectDowngradeRedirect({ firstUrl: 'https://mail.example.org/', fromUrl: 'https://sso.example.net/', toUrl: 'http://mail.example.org/', resourceType: 'main_frame' }, ctx({ site }));
    expect(f?.evidence.fromUrl).toBe('https://sso.example.net/');
  });
  it("never reports a service's own http→https upgrade", () => {
    expect(detectDowngradeRedirect({ firstUrl: 'http://mail.example.org/', fromUrl: 'http://mail.example.org/', toUrl: 'https://mail.example.org/', resourceType: 'main_frame' }, ctx({ site }))).toEqual([]);
  });
});

describe('tls.insecure-form', () => {
  it('is critical for a password form posting to http from an https page', () => {
    const [f] = detectInsecureForms('https://mail.example.org/', [{ action: 'http://mail.example.org/login', hasPassword: true }], ctx({ site }));
    expect(f).toMatchObject({ rule: 'tls.insecure-form', severity: 'critical' });
  });
  it('is high for a compose form posting to http', () => {
    expect(detectInsecureForms('https://mail.example.org/', [{ action: 'http://mail.example.org/send', hasPassword: false }], ctx({ site }))[0]?.severity).toBe('high');
  });
  it('flags a password field on an http page even with a relative action', () => {
    expect(detectInsecureForms('http://mail.example.org/', [{ action: 'http://mail.example.org/', hasPassword: true }], ctx({ site }))).toHaveLength(1);
  });
  it('is quiet for https forms', () => {
    expect(detectInsecureForms('https://mail.example.org/', [{ action: 'https://mail.example.org/login', hasPassword: true }], ctx({ site }))).toEqual([]);
  });
});

describe('tls.insecure-websocket and tls.mixed-content', () => {
  it('reports a ws: socket', () => {
    expect(detectInsecureWebSocket({ url: 'ws://chat.example.org/socket', pageUrl: 'https://chat.example.org/', resourceType: 'websocket' }, ctx({ site }))[0]).toMatchObject({ rule: 'tls.insecure-websocket', severity: 'high' });
    expect(detectInsecureWebSocket({ url: 'wss://chat.example.org/socket', pageUrl: 'https://chat.example.org/', resourceType: 'websocket' }, ctx({ site }))).toEqual([]);
  });
  it('splits active from passive mixed content', () => {
    const page = 'https://mail.example.org/';
    expect(detectMixedContent({ url: 'http://cdn.example.net/a.js', pageUrl: page, resourceType: 'script' }, ctx({ site }))[0]?.severity).toBe('high');
    expect(detectMixedContent({ url: 'http://cdn.example.net/a.png', pageUrl: page, resourceType: 'image' }, ctx({ site }))[0]?.severity).toBe('low');
    expect(detectMixedContent({ url: 'http://cdn.example.net/a.png', pageUrl: 'http://mail.example.org/', resourceType: 'image' }, ctx({ site }))).toEqual([]);
  });
});

describe('tls.hsts-dropped', () => {
  const url = 'https://mail.example.org/';
  it('parses max-age', () => {
    expect(parseHstsMaxAge('max-age=31536000; includeSubDomains')).toBe(31536000);
    expect(parseHstsMaxAge('includeSubDomains; max-age="60"')).toBe(60);
    expect(parseHstsMaxAge('includeSubDomains')).toBeNull();
  });
  it('reports a header that disappeared, and a shorter max-age', () => {
    const learned = ctx({ site, baseline: baseline({ hstsMaxAge: 31536000 }) });
    expect(detectHstsDropped({ url, strictTransportSecurity: null, contentSecurityPolicy: null }, learned)[0]).toMatchObject({ severity: 'medium', evidence: { baselineMaxAge: 31536000 } });
    expect(detectHstsDropped({ url, strictTransportSecurity: 'max-age=300', contentSecurityPolicy: null }, learned)[0]?.severity).toBe('low');
    expect(detectHstsDropped({ url, strictTransportSecurity: 'max-age=31536000', contentSecurityPolicy: null }, learned)).toEqual([]);
  });
  it('is quiet without a baseline that had HSTS', () => {
    expect(detectHstsDropped({ url, strictTransportSecurity: null, contentSecurityPolicy: null }, ctx({ site, baseline: baseline() }))).toEqual([]);
  });
});

describe('tls.weak-protocol and tls.weak-cipher', () => {
  const obs = (protocolVersion: string, cipherSuite: string, weaknessReasons?: string[]) => ({ url: 'https://mail.example.org/', resourceType: 'main_frame', state: 'weak', protocolVersion, cipherSuite, chain: [], ...(weaknessReasons ? { weaknessReasons } : {}) });
  it('reports TLS 1.0 and a CBC, non-forward-secret cipher', () => {
    const rules = detectWeakTls(obs('TLSv1', 'TLS_RSA_WITH_AES_128_CBC_SHA'), ctx({ site })).map((f) => [f.rule, f.severity]);
    expect(rules).toEqual([['tls.weak-protocol', 'high'], ['tls.weak-cipher', 'medium']]);
  });
  it('is quiet for TLS 1.3 with an AEAD cipher', () => {
    expect(detectWeakTls(obs('TLSv1.3', 'TLS_AES_128_GCM_SHA256'), ctx({ site }))).toEqual([]);
    expect(detectWeakTls(obs('TLSv1.2', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'), ctx({ site }))).toEqual([]);
  });
  it("trusts Firefox's own weakness verdict", () => {
    expect(detectWeakTls(obs('TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', ['cipher']), ctx({ site }))[0]?.rule).toBe('tls.weak-cipher');
  });
  it('names why a cipher is weak', () => {
    expect(cipherWeakness('TLS_RSA_WITH_RC4_128_SHA')).toBe('broken cipher');
    expect(cipherWeakness('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA')).toBe('not authenticated encryption (CBC)');
  });
});
