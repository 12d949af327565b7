import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_TEXT, describe as describeRule } from '@/lib/rules';
import { RULE_IDS, kindOfRule } from '@/lib/types';

describe('rule catalogue', () => {
  it('has every rule id of the design document, and no other', () => {
    const design = readFileSync(resolve(process.cwd(), '../shared/DESIGN.md'), 'utf8');
    const documented = new Set(design.match(/`(tls|cert|script)\.[a-z-]+`/g)!.map((id) => id.slice(1, -1)));
    expect(new Set(RULE_IDS)).toEqual(documented);
  });
  it('has a title and advice for every rule, naming the host', () => {
    for (const rule of RULE_IDS) {
      expect(RULE_TEXT[rule].advice.length).toBeGreaterThan(40);
      expect(describeRule(rule, 'mail.example.org').title).toContain('mail.example.org');
    }
  });
  it('derives the kind from the rule family', () => {
    expect(kindOfRule('tls.http-page')).toBe('tls-downgrade');
    expect(kindOfRule('cert.untrusted-root')).toBe('cert-anomaly');
    expect(kindOfRule('script.new-origin')).toBe('script-injection');
  });
});
