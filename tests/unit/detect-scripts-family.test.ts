import { describe, expect, it } from 'vitest';
import { cspWeakenings } from '@/lib/core/csp';
import {
  aggregateFlood,
  CSP_TIGHTEN_SIGHTINGS,
  MAX_FLOOD_SOURCES,
  detectCspDropped,
  detectCspViolations,
  detectExtensionScripts,
  detectHiddenFrames,
  detectNewInline,
  detectScriptBudgetExceeded,
  detectScriptBytesChanged,
  detectSriRemoved,
  learnCsp,
  learnInline,
  learnScriptBytes,
  learnSri,
  looksImmutable,
  pageKeyOf,
  STABLE_INLINE_VISITS,
} from '@/lib/core/detect/scripts';
import type { Finding } from '@/lib/core/types';
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

  it('judges inline code that hid (srcdoc, forged DOMContentLoaded) as soon as the host is past learning', () => {
    let b = baseline({ visits: 1 });
    const srcdoc = { ...inline('s', 'fromSrcdoc()'), hidden: 'srcdoc' as const };
    // Learning: quiet, and learned.
    expect(detectNewInline(PAGE, [srcdoc], ctx({ baseline: b }))).toEqual([]);
    b = learnInline(b, PAGE, [srcdoc], new Set());
    b = { ...b, visits: 2 };
    expect(detectNewInline(PAGE, [srcdoc], ctx({ baseline: b }))).toEqual([]);
    // The page's inline set has not settled, yet new hidden code is reported; plain new code is not.
    const late = { ...inline('k', 'keylog()'), hidden: 'synthetic-load' as const };
    const findings = detectNewInline(PAGE, [late, inline('n')], ctx({ baseline: b }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'script.new-inline', severity: 'medium', evidence: { hidden: 'synthetic-load' } });
    // The code itself is quoted only with inline previews switched on.
    expect(findings[0]!.evidence.preview).toBeUndefined();
    expect(detectNewInline(PAGE, [late], ctx({ baseline: b, inlinePreviews: true }))[0]!.evidence).toMatchObject({ preview: 'keylog()' });
  });

  it('judges inline code whose element was gone before DOMContentLoaded like other hidden code', () => {
    const b = { ...learnInline(baseline({ visits: 1 }), PAGE, [inline('a')], new Set()), visits: 2 };
    const vanished = { ...inline('v', 'keylog(); document.currentScript.remove()'), hidden: 'self-removed' as const };
    expect(detectNewInline(PAGE, [vanished], ctx({ baseline: b }))).toEqual([
      expect.objectContaining({ rule: 'script.new-inline', severity: 'medium', evidence: expect.objectContaining({ hidden: 'self-removed' }) }),
    ]);
  });

  it('judges inline code of an SVG script element like other hidden code, once the host is learned', () => {
    const b = { ...learnInline(baseline({ visits: 1 }), PAGE, [inline('a')], new Set()), visits: 2 };
    const svg = { ...inline('g', 'keylog()'), hidden: 'svg' as const };
    // Not yet stable: plain new inline code is learned, code in an SVG script element is not.
    expect(detectNewInline(PAGE, [inline('n')], ctx({ baseline: b }))).toEqual([]);
    expect(detectNewInline(PAGE, [svg], ctx({ baseline: b }))).toEqual([
      expect.objectContaining({ rule: 'script.new-inline', severity: 'medium', evidence: expect.objectContaining({ hidden: 'svg' }) }),
    ]);
  });

  it('reports a page whose scripts outran the inventory budget', () => {
    expect(detectScriptBudgetExceeded(PAGE, false, ctx())).toEqual([]);
    const [f] = detectScriptBudgetExceeded(PAGE, true, ctx());
    expect(f).toMatchObject({ rule: 'script.new-inline', severity: 'medium', evidence: { budgetExceeded: true, limit: 2000 } });
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
  it('reports different bytes under a URL learned as immutable, even once the header that said so is gone', () => {
    const b = baseline({ scriptBytes: { k: 'a'.repeat(64) } });
    const obs = { url: 'https://mail.example.org/app.3f9a2b1c.js', pageUrl: PAGE, sha256: 'b'.repeat(64), immutable: true };
    expect(detectScriptBytesChanged(obs, 'k', ctx({ baseline: b }))[0]).toMatchObject({ evidence: { baselineSha256: 'a'.repeat(64) } });
    // A proxy stripped `Cache-Control: immutable`: the URL was learned, so it is still checked.
    expect(detectScriptBytesChanged({ ...obs, immutable: false }, 'k', ctx({ baseline: b }))[0]).toMatchObject({ severity: 'high' });
    expect(detectScriptBytesChanged({ ...obs, sha256: 'a'.repeat(64) }, 'k', ctx({ baseline: b }))).toEqual([]);
    // Never learned: nothing to compare with.
    expect(detectScriptBytesChanged(obs, 'other', ctx({ baseline: b }))).toEqual([]);
  });

  it('reports a script too large to hash, worse where its bytes were learned', () => {
    const b = baseline({ scriptBytes: { k: 'a'.repeat(64) } });
    const padded = { url: 'https://mail.example.org/app.3f9a2b1c.js', pageUrl: PAGE, immutable: true };
    expect(detectScriptBytesChanged(padded, 'k', ctx({ baseline: b }))[0]).toMatchObject({ rule: 'script.content-changed', severity: 'high', evidence: { change: 'too large to hash' } });
    expect(detectScriptBytesChanged(padded, 'new', ctx({ baseline: b }))[0]).toMatchObject({ severity: 'medium' });
    expect(learnScriptBytes(b, padded, 'new')).toBe(b);
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

  it("judges nonces, hashes and 'strict-dynamic' as the browser applies them", () => {
    const nonced = "script-src 'nonce-x' 'strict-dynamic' 'unsafe-inline' https:";
    // Dropping the nonce and 'strict-dynamic' turns the fallbacks for old browsers back on.
    expect(cspWeakenings(nonced, "script-src 'unsafe-inline' https:")).toEqual(["'unsafe-inline' was added", 'the wildcard source https: was added']);
    // A fresh nonce per response is no change; nor is a hash for a nonce.
    expect(cspWeakenings(nonced, "script-src 'nonce-y' 'strict-dynamic' 'unsafe-inline' https:")).toEqual([]);
    expect(cspWeakenings(nonced, "script-src 'sha256-abc' 'strict-dynamic' https: http:")).toEqual([]);
    // Without 'strict-dynamic', host sources count again even beside a nonce.
    expect(cspWeakenings(nonced, "script-src 'nonce-y' https:")).toEqual(['the wildcard source https: was added']);
    expect(cspWeakenings("script-src 'sha256-abc'", "script-src 'sha256-abc' 'unsafe-inline'")).toEqual([]);
  });

  it('judges script-src-elem and script-src-attr apart', () => {
    const strictPolicy = "default-src 'self'; script-src 'self'";
    expect(cspWeakenings(strictPolicy, `${strictPolicy}; script-src-elem *`)).toEqual(['the wildcard source * was added']);
    expect(cspWeakenings(strictPolicy, `${strictPolicy}; script-src-attr 'unsafe-inline'`)).toEqual(["'unsafe-inline' was added for event-handler attributes"]);
    // An -elem directive stricter than script-src is no weakening.
    expect(cspWeakenings(strictPolicy, `${strictPolicy}; script-src-elem 'none'`)).toEqual([]);
    // '*' does not allow data: or blob:.
    expect(cspWeakenings("script-src *", "script-src * data:")).toEqual(['the wildcard source data: was added']);
    expect(cspWeakenings("script-src https:", "script-src https://cdn.example.net")).toEqual([]);
  });

  it('reads every header: a script must pass every policy', () => {
    const two = "script-src 'self', script-src 'self' https://cdn.example.net";
    // The first policy still refuses the CDN, so adding it to the second weakens nothing.
    expect(cspWeakenings("script-src 'self'", two)).toEqual([]);
    // A weak first header does not hide a strict second one.
    expect(cspWeakenings("script-src 'self'", "script-src *, script-src 'self'")).toEqual([]);
    expect(cspWeakenings("script-src *, script-src 'self'", "script-src *")).toEqual(['the wildcard source * was added']);
    // Dropping the stricter of two headers is a weakening, though the one left looks familiar.
    expect(cspWeakenings(two, "script-src 'self' https://cdn.example.net")).toEqual(['the source https://cdn.example.net was added']);
  });

  it('learns a stricter policy only after it has come back on several visits', () => {
    const loose = "default-src 'self'; script-src 'self' https://cdn.example.net";
    let b = learnCsp(baseline(), loose);
    expect(b.csp).toBe(loose);
    // A proxy sends a stricter header once; genuine visits then go on with the usual one.
    b = learnCsp(b, strict);
    expect(b.csp).toBe(loose);
    b = learnCsp(b, loose);
    expect(b.csp).toBe(loose);
    expect(detectCspDropped({ url: PAGE, strictTransportSecurity: null, contentSecurityPolicy: loose }, ctx({ baseline: b }))).toEqual([]);
    // A site that really tightened its policy: learned once it has stayed.
    for (let i = 1; i < CSP_TIGHTEN_SIGHTINGS; i++) b = learnCsp(b, strict);
    expect(b.csp).toBe(loose);
    b = learnCsp(b, strict);
    expect(b.csp).toBe(strict);
    expect(b.cspCandidate).toBeUndefined();
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

  it('names every distinct source of a flood, the payload behind the filler too', () => {
    const filler: Finding[] = Array.from({ length: 2000 }, () => ({ rule: 'script.csp-violation', severity: 'low', host: 'h', url: PAGE, evidence: { blocked: 'data' }, dedupeParts: ['data'] }));
    const payload: Finding = { rule: 'script.csp-violation', severity: 'medium', host: 'h', url: PAGE, evidence: { blocked: 'https://evil.test' }, dedupeParts: ['https://evil.test'] };
    const [one] = aggregateFlood([...filler, payload]);
    expect(one!.evidence).toMatchObject({ flood: true, count: 2001, sources: ['data', 'https://evil.test'] });
    expect(one!.severity).toBe('medium');
  });

  it('bounds the sources it keeps, and says how many it left out', () => {
    const many: Finding[] = Array.from({ length: MAX_FLOOD_SOURCES + 10 }, (_, i) => ({ rule: 'script.new-origin', severity: 'high', host: 'h', url: PAGE, evidence: { scriptOrigin: `https://o${i}.test` }, dedupeParts: [`o${i}`] }));
    const [one] = aggregateFlood(many);
    expect((one!.evidence.sources as string[]).length).toBe(MAX_FLOOD_SOURCES);
    expect(one!.evidence.sourcesLeftOut).toBe(10);
  });
});
