import { describe, expect, it } from 'vitest';
import { cspWeakenings } from '@/lib/csp';
import {
  aggregateFlood,
  detectCspDropped,
  detectCspViolations,
  detectExtensionScripts,
  detectHiddenFrames,
  detectNewInline,
  detectScriptBytesChanged,
  detectSriRemoved,
  learnCsp,
  learnInline,
  learnSri,
  looksImmutable,
  pageKeyOf,
  STABLE_INLINE_VISITS,
} from '@/lib/detect/scripts';
import type { Finding } from '@/lib/types';
import { baseline, ctx } from './fixtures';

const PAGE = 'https://mail.example.org/?_task=mail&_uid=12345';
const inline = (hash: string, preview = 'x()') => ({ inlineSha256: hash.repeat(64).slice(0, 64), preview });

describe('script.new-inline', () => {
  it('groups pages by route, not by message id, and keeps no query value', () => {
    expect(pageKeyOf('https://m.example/?_task=mail&_uid=12345&_mbox=INBOX')).toBe('/?_mbox&_task&_uid');
    expect(pageKeyOf('https://m.example/?_task=mail&_uid=99999&_mbox=INBOX')).toBe(pageKeyOf('https://m.example/?_mbox=INBOX&_task=mail&_uid=1'));
    // The inbox and the compose screen stay apart by their parameters' names.
    expect(pageKeyOf('https://m.example/?_task=mail&_mbox=INBOX')).not.toBe(pageKeyOf('https://m.example/?_task=mail&_action=compose&_id=5'));
    // Folder names and searches are values: never in a key.
    const key = pageKeyOf('https://m.example/?_task=mail&_mbox=INBOX%2FSources&_search=alice%40example.org');
    expect(key).toBe('/?_mbox&_search&_task');
    expect(key).not.toMatch(/Sources|alice|INBOX/);
  });

  it('keeps inline code out of the evidence unless the user turned previews on', () => {
    let b = baseline({ visits: 1 });
    for (let visit = 0; visit <= STABLE_INLINE_VISITS; visit++) b = learnInline(b, PAGE, [inline('a')], new Set());
    const scripts = [inline('a'), inline('b', 'send("alice@example.org")')];
    const [off] = detectNewInline(PAGE, scripts, ctx({ baseline: b }));
    expect(off!.evidence).not.toHaveProperty('preview');
    expect(JSON.stringify(off)).not.toContain('alice');
    const [on] = detectNewInline(PAGE, scripts, { ...ctx({ baseline: b }), inlinePreviews: true });
    expect(on!.evidence.preview).toBe('send("alice@example.org")');
    const violation = { blockedUrl: 'inline', directive: 'script-src-elem', sample: 'send("alice@example.org")' };
    expect(JSON.stringify(detectCspViolations(PAGE, [violation], ctx()))).not.toContain('alice');
    expect(detectCspViolations(PAGE, [violation], { ...ctx(), inlinePreviews: true })[0]!.evidence.sample).toBe('send("alice@example.org")');
  });

  it('learns inline scripts until the page is stable, then reports a new one', () => {
    let b = baseline({ visits: 1 });
    for (let visit = 0; visit <= STABLE_INLINE_VISITS; visit++) {
      expect(detectNewInline(PAGE, [inline('a')], ctx({ baseline: b }))).toEqual([]);
      b = learnInline(b, PAGE, [inline('a')], new Set());
    }
    const [f] = detectNewInline(PAGE, [inline('a'), inline('b', 'steal(document.cookie)')], { ...ctx({ baseline: b }), inlinePreviews: true });
    expect(f).toMatchObject({ rule: 'script.new-inline', severity: 'medium', evidence: { preview: 'steal(document.cookie)' } });
  });

  it('does not learn what it reported, and ignores scripts page code inserted later', () => {
    let b = baseline();
    for (let i = 0; i <= STABLE_INLINE_VISITS; i++) b = learnInline(b, PAGE, [inline('a')], new Set());
    const injected = inline('b');
    b = learnInline(b, PAGE, [inline('a'), injected], new Set([injected.inlineSha256]));
    expect(detectNewInline(PAGE, [injected], ctx({ baseline: b }))).toHaveLength(1);
    expect(detectNewInline(PAGE, [{ ...inline('c'), dynamic: true }], ctx({ baseline: b }))).toEqual([]);
  });

  it('is off for services whose inline scripts change on every load', () => {
    let b = baseline();
    for (let i = 0; i <= STABLE_INLINE_VISITS; i++) b = learnInline(b, PAGE, [inline('a')], new Set());
    const site = { host: 'mail.google.com', name: 'Gmail', source: 'builtin' as const, profile: { id: 'g', name: 'Gmail', kind: 'mail' as const, hosts: [], scriptOrigins: [], volatileInline: true } };
    expect(detectNewInline(PAGE, [inline('z')], ctx({ site, baseline: b }))).toEqual([]);
  });
});

describe('script.content-changed', () => {
  it('reports a script that lost its integrity attribute', () => {
    const b = learnSri(baseline(), [{ src: 'https://cdn.example.net/lib.js?v=1', integrity: true }]);
    const [f] = detectSriRemoved(PAGE, [{ src: 'https://cdn.example.net/lib.js?v=2', integrity: false }], ctx({ baseline: b }));
    expect(f).toMatchObject({ rule: 'script.content-changed', severity: 'high', evidence: { change: 'Subresource Integrity attribute removed' } });
  });
  it('reports different bytes under an immutable URL, and only there', () => {
    const b = baseline({ scriptBytes: { k: 'a'.repeat(64) } });
    const obs = { url: 'https://mail.example.org/app.3f9a2b1c.js', pageUrl: PAGE, sha256: 'b'.repeat(64), immutable: true };
    expect(detectScriptBytesChanged(obs, 'k', ctx({ baseline: b }))[0]).toMatchObject({ evidence: { baselineSha256: 'a'.repeat(64) } });
    expect(detectScriptBytesChanged({ ...obs, immutable: false }, 'k', ctx({ baseline: b }))).toEqual([]);
    expect(detectScriptBytesChanged({ ...obs, sha256: 'a'.repeat(64) }, 'k', ctx({ baseline: b }))).toEqual([]);
  });
  it('tells versioned script URLs from mutable ones', () => {
    expect(looksImmutable('https://x.test/static/app.3f9a2b1c.js', null)).toBe(true);
    expect(looksImmutable('https://x.test/program/js/app.min.js?s=1700000000', null)).toBe(true);
    expect(looksImmutable('https://x.test/program/js/app.min.js', null)).toBe(false);
    expect(looksImmutable('https://x.test/app.js', 'public, max-age=31536000, immutable')).toBe(true);
    expect(looksImmutable('https://x.test/app.js', 'no-store')).toBe(false);
  });
});

describe('script.csp-dropped', () => {
  const strict = "default-src 'self'; script-src 'self'";
  it('names each way a policy got weaker', () => {
    expect(cspWeakenings(strict, null)).toEqual(['the Content-Security-Policy header is gone']);
    expect(cspWeakenings(strict, "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.evil.test")).toEqual(["'unsafe-inline' was added", 'the source https://cdn.evil.test was added']);
    expect(cspWeakenings(strict, "script-src 'self' 'nonce-abc' 'unsafe-inline'")).toEqual([]);
    expect(cspWeakenings(strict, "frame-ancestors 'none'")).toEqual(['scripts are no longer restricted (no script-src or default-src)']);
    expect(cspWeakenings(strict, strict)).toEqual([]);
  });
  it('reports against the learned policy and keeps the strictest one', () => {
    const b = learnCsp(baseline(), strict);
    const [f] = detectCspDropped({ url: PAGE, strictTransportSecurity: null, contentSecurityPolicy: null }, ctx({ baseline: b }));
    expect(f).toMatchObject({ rule: 'script.csp-dropped', severity: 'high', evidence: { baselineHeader: strict } });
    expect(learnCsp(b, "script-src *").csp).toBe(strict);
  });
});

describe('script.csp-violation, script.hidden-iframe, script.by-extension', () => {
  it('rates refused scripts above other refusals', () => {
    const findings = detectCspViolations(PAGE, [{ blockedUrl: 'https://evil.test/x.js', directive: 'script-src-elem' }, { blockedUrl: 'https://img.test/a.png', directive: 'img-src' }], ctx());
    expect(findings.map((f) => [f.rule, f.severity, f.evidence.blocked])).toEqual([
      ['script.csp-violation', 'medium', 'https://evil.test'],
      ['script.csp-violation', 'low', 'https://img.test'],
    ]);
  });
  it('reports only hidden third-party frames', () => {
    const frames = [
      { src: 'https://tracker.test/p', hidden: true, width: 0, height: 0 },
      { src: 'https://mail.example.org/preview', hidden: true, width: 0, height: 0 },
      { src: 'https://video.test/embed', hidden: false, width: 640, height: 360 },
    ];
    expect(detectHiddenFrames(PAGE, frames, ctx()).map((f) => [f.rule, f.evidence.frameOrigin])).toEqual([['script.hidden-iframe', 'https://tracker.test']]);
  });
  it('attributes extension scripts as info', () => {
    const [f] = detectExtensionScripts(PAGE, [{ src: 'chrome-extension://abcdef/inject.js' }, { src: 'chrome-extension://abcdef/other.js' }], ctx());
    expect(f).toMatchObject({ rule: 'script.by-extension', severity: 'info', evidence: { extension: 'chrome-extension://abcdef' } });
  });
});

describe('aggregateFlood', () => {
  it('turns a flood into one finding with a count and a sample', () => {
    const flood: Finding[] = Array.from({ length: 500 }, (_, i) => ({ rule: 'script.new-origin', severity: 'high', host: 'h', url: PAGE, evidence: { i }, dedupeParts: [`o${i}`] }));
    const [one, ...rest] = aggregateFlood(flood);
    expect(rest).toEqual([]);
    expect(one!.evidence).toMatchObject({ flood: true, count: 500 });
    expect((one!.evidence.sample as unknown[]).length).toBe(20);
  });
});
