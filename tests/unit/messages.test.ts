import { describe, expect, it } from 'vitest';
import { LIMITS, validateContentMessage } from '@/lib/messages';

const page = { type: 'page-observed', url: 'https://mail.example.org/', scripts: [{ src: 'https://mail.example.org/a.js' }] };

describe('validateContentMessage', () => {
  it('accepts a well-formed page observation and copies only known fields', () => {
    const result = validateContentMessage({ ...page, recognisedAs: 'roundcube', extra: 'dropped' });
    expect(result).toEqual({ ok: true, message: { ...page, forms: [], frames: [], violations: [], recognisedAs: 'roundcube' } });
  });
  it.each([
    ['null', null],
    ['a string', 'page-observed'],
    ['an unknown type', { ...page, type: 'delete-log' }],
    ['a javascript: url', { ...page, url: 'javascript:alert(1)' }],
    ['an oversized url', { ...page, url: `https://a.test/${'x'.repeat(LIMITS.url)}` }],
    ['too many scripts', { ...page, scripts: Array.from({ length: LIMITS.scriptsPerMessage + 1 }, () => ({ src: 'https://a.test/x.js' })) }],
    ['a script without src or hash', { ...page, scripts: [{}] }],
    ['a malformed inline hash', { ...page, scripts: [{ inlineSha256: 'zz' }] }],
    ['an unknown recogniser', { ...page, recognisedAs: 'gmail-clone' }],
    ['scripts that are not an array', { ...page, scripts: { length: 1, 0: { src: 'x' } } }],
    ['a script with both src and inline hash', { ...page, scripts: [{ src: 'https://a.test/x.js', inlineSha256: 'a'.repeat(64) }] }],
    ['an oversized inline preview', { ...page, scripts: [{ inlineSha256: 'a'.repeat(64), preview: 'x'.repeat(LIMITS.preview + 1) }] }],
    ['a script hidden in a way tapguard does not know', { ...page, scripts: [{ inlineSha256: 'a'.repeat(64), hidden: 'invisible' }] }],
    ['a frame with a negative size', { ...page, frames: [{ src: 'https://a.test/', hidden: true, width: -1, height: 0 }] }],
    ['a frame with a javascript: src', { ...page, frames: [{ src: 'javascript:1', hidden: true, width: 0, height: 0 }] }],
    ['a violation without directive', { ...page, violations: [{ blockedUrl: 'inline' }] }],
    ['too many violations', { ...page, violations: Array.from({ length: LIMITS.violationsPerMessage + 1 }, () => ({ blockedUrl: 'inline', directive: 'script-src' })) }],
  ])('rejects %s', (_label, raw) => {
    expect(validateContentMessage(raw).ok).toBe(false);
  });
  it.each(['srcdoc', 'synthetic-load', 'self-removed', 'rewritten', 'svg'])('keeps how inline code hid: %s', (hidden) => {
    const script = { inlineSha256: 'a'.repeat(64), preview: '/* implant */', hidden };
    const result = validateContentMessage({ ...page, scripts: [script] });
    expect(result).toMatchObject({ ok: true, message: { scripts: [script] } });
  });
  it('survives random garbage without throwing', () => {
    for (let i = 0; i < 500; i++) {
      const garbage = JSON.parse(JSON.stringify({ type: ['page-observed', 'elements-added', 1][i % 3], url: Math.random() > 0.5 ? 'https://x.test/' : i, scripts: [{ src: i % 7 ? 'https://x' : null }] }));
      expect(() => validateContentMessage(garbage)).not.toThrow();
    }
  });
});
