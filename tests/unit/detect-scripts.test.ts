import { describe, expect, it } from 'vitest';
import { detectNewScriptOrigins } from '@/lib/core/detect/scripts';
import { baseline, ctx } from './fixtures';

const PAGE = 'https://mail.example.org/?_task=mail';
const own = { src: 'https://mail.example.org/program/js/app.min.js' };
const cdn = { src: 'https://cdn.example.net/lib.js' };
const evil = { src: 'https://cdn.evil-tracker.test:8443/inject.js?k=1' };

describe('script.new-origin', () => {
  it('learns during the first visit instead of reporting', () => {
    expect(detectNewScriptOrigins(PAGE, [own, cdn, evil], ctx({ baseline: baseline({ visits: 1 }) }))).toEqual([]);
  });

  it('reports an origin that is neither the page, the baseline nor the profile', () => {
    const known = baseline({ visits: 2, scriptOrigins: ['https://cdn.example.net'] });
    const findings = detectNewScriptOrigins(PAGE, [own, cdn, evil], ctx({ baseline: known }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'script.new-origin',
      severity: 'high',
      dedupeParts: ['https://cdn.evil-tracker.test:8443'],
      evidence: { scriptUrl: 'https://cdn.evil-tracker.test:8443/inject.js', scriptOrigin: 'https://cdn.evil-tracker.test:8443' },
    });
  });

  it('does not care about the order scripts load in', () => {
    const known = baseline({ visits: 5, scriptOrigins: ['https://cdn.example.net'] });
    expect(detectNewScriptOrigins(PAGE, [cdn, own], ctx({ baseline: known }))).toEqual([]);
  });

  it("accepts origins from the service's own profile", () => {
    const site = { host: 'mail.google.com', name: 'Gmail', source: 'builtin' as const, profile: { id: 'g', name: 'Gmail', kind: 'mail' as const, hosts: [], scriptOrigins: ['https://www.gstatic.com'] } };
    const findings = detectNewScriptOrigins('https://mail.google.com/mail/', [{ src: 'https://www.gstatic.com/x.js' }], ctx({ site, baseline: baseline({ visits: 9 }) }));
    expect(findings).toEqual([]);
  });

  it('ignores extension scripts and inline scripts (other rules judge them)', () => {
    const findings = detectNewScriptOrigins(PAGE, [{ src: 'chrome-extension://abc/inject.js' }, { inlineSha256: 'f'.repeat(64) }], ctx({ baseline: baseline({ visits: 4 }) }));
    expect(findings).toEqual([]);
  });

  it('counts code without an origin (data:, blob:) as a source of its own, named by its first characters when previews are on', () => {
    const known = baseline({ visits: 2 });
    const data = { src: 'data:text/javascript,steal()', preview: 'data:text/javascript,steal()' };
    // Off by default: the kind of source is named, not the code (page content).
    expect(detectNewScriptOrigins(PAGE, [data], ctx({ baseline: known }))[0]!.evidence).not.toHaveProperty('preview');
    const findings = detectNewScriptOrigins(PAGE, [own, data, { src: 'blob:https://mail.example.org/0d2f' }], ctx({ baseline: known, inlinePreviews: true }));
    expect(findings.map((f) => [f.evidence.scriptOrigin, f.severity, f.evidence.preview])).toEqual([
      ['data:', 'high', 'data:text/javascript,steal()'],
      ['blob:', 'medium', undefined],
    ]);
    expect(findings[0]!.evidence.scriptUrl).toBe('data:');
    // Learned like any origin in the first visit.
    expect(detectNewScriptOrigins(PAGE, [data], ctx({ baseline: baseline({ visits: 3, scriptOrigins: ['data:'] }) }))).toEqual([]);
  });

  it('says how a script hid from the DOM walk', () => {
    const [f] = detectNewScriptOrigins(PAGE, [{ ...evil, hidden: 'srcdoc' }], ctx({ baseline: baseline({ visits: 2 }) }));
    expect(f!.evidence.hidden).toBe('srcdoc');
    // And that the network saw it, where the DOM may not have (lib/background/network-inventory.ts).
    const [n] = detectNewScriptOrigins(PAGE, [{ ...evil, network: true }], ctx({ baseline: baseline({ visits: 2 }) }));
    expect(n!.evidence.seenBy).toBe('network');
  });
});

describe('script.new-origin on origins trusted under some paths only', () => {
  const gmail = { host: 'mail.google.com', name: 'Gmail', source: 'builtin' as const, profile: { id: 'g', name: 'Gmail', kind: 'mail' as const, hosts: [], scriptOrigins: ['https://www.gstatic.com', 'https://www.google.com/js/'] } };
  const GMAIL = 'https://mail.google.com/mail/u/0/';

  it("accepts code under the service's own paths and reports the origin's code for anyone (JSONP)", () => {
    const b = baseline({ visits: 5, scriptOrigins: ['https://www.google.com'] });
    const scripts = [{ src: 'https://www.google.com/js/bg/abc.js' }, { src: 'https://www.google.com/complete/search?client=x&callback=steal' }];
    const findings = detectNewScriptOrigins(GMAIL, scripts, ctx({ site: gmail, baseline: b }));
    // Learned as an origin or not, the JSONP endpoint is outside the paths the service uses.
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'high', evidence: { scriptUrl: 'https://www.google.com/complete/search', allowedPaths: ['https://www.google.com/js/'] } });
    expect(detectNewScriptOrigins(GMAIL, [scripts[0]!], ctx({ site: gmail, baseline: b }))).toEqual([]);
    // Not learned as an origin: code under the allowed path is still the service's own.
    expect(detectNewScriptOrigins(GMAIL, [scripts[0]!], ctx({ site: gmail, baseline: baseline({ visits: 5 }) }))).toEqual([]);
  });
});
