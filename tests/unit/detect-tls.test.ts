import { describe, expect, it } from 'vitest';
import { detectHttpPage } from '@/lib/detect/tls';
import { serviceForHost } from '@/lib/sites/services';
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
