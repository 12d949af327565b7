import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_PROOFS } from '@/lib/core/rule-registry';
import { RULE_IDS, RULE_TEXT, describe as describeRule } from '@/lib/core/rules';
import { kindOfRule } from '@/lib/core/types';

const ROOT = process.cwd();
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');
/** A rule id named whole, so `cert.error` is not found inside `cert.error-bypassed`. */
const namesRule = (source: string, rule: string) => new RegExp(`(?<![\\w.-])${rule.replace('.', '\\.')}(?![\\w-])`).test(source);

describe('rule catalogue', () => {
  it('has every rule id the README documents, and no other', () => {
    // The README's table is the user's list of rules: code and documentation must agree.
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## What it checks'), readme.indexOf('\n## ', readme.indexOf('## What it checks') + 1));
    const documented = new Set(table.match(/^\|.*$/gm)!.flatMap((row) => row.match(/`(tls|cert|script)\.[a-z-]+`/g) ?? []).map((id) => id.slice(1, -1)));
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

describe('rule registry: every rule is decided and proven', () => {
  it('lists every rule id and no other', () => {
    expect(Object.keys(RULE_PROOFS).sort()).toEqual([...RULE_IDS].sort());
  });

  it.each(RULE_IDS)('%s has a detector that emits it and a unit test that names it', (rule) => {
    const proof = RULE_PROOFS[rule];
    expect(proof.detector).toMatch(/^lib\/(core\/)?detect\/[a-z-]+\.ts$/);
    expect(namesRule(read(proof.detector), rule), `${proof.detector} does not emit ${rule}`).toBe(true);
    expect(proof.unit).toMatch(/^tests\/unit\/.+\.test\.tsx?$/);
    expect(namesRule(read(proof.unit), rule), `${proof.unit} does not name ${rule}`).toBe(true);
  });

  it.each(RULE_IDS)('%s has, per browser, an e2e test that names it or a stated reason', (rule) => {
    for (const [browser, proof] of Object.entries(RULE_PROOFS[rule].e2e)) {
      if ('test' in proof) {
        expect(proof.test, browser).toMatch(/^tests\/e2e\/.+\.test\.ts$/);
        expect(namesRule(read(proof.test), rule), `${proof.test} does not name ${rule} (${browser})`).toBe(true);
      } else {
        const reason = 'cannot' in proof ? proof.cannot : proof.untested;
        expect(reason.length, `${rule} in ${browser}: say why`).toBeGreaterThan(40);
      }
    }
  });

  it('lets no new rule go without an e2e test unnoticed: the untested gaps are exactly these', () => {
    const untested = RULE_IDS.flatMap((rule) => Object.entries(RULE_PROOFS[rule].e2e).filter(([, p]) => 'untested' in p).map(([b]) => `${rule} ${b}`));
    expect(untested).toEqual(['cert.key-changed chromium', 'cert.known-interceptor chromium']);
  });

  it('each detector module is one the monitor really calls', () => {
    const monitorFile = 'lib/background/monitor.ts';
    const monitor = read(monitorFile);
    for (const file of new Set(Object.values(RULE_PROOFS).map((p) => p.detector))) {
      const module = `./${relative(dirname(monitorFile), file)}`.replace(/^\.\/\.\.\//, '../').replace(/\.ts$/, '');
      expect(monitor, `${monitorFile} does not import ${module}`).toContain(`from '${module}'`);
    }
  });
});
