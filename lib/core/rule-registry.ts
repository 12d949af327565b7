import type { RuleId } from './rules';

/**
 * Where each rule is decided and proven. Read only by tests (tests/unit/rule-registry.test.ts),
 * never bundled into the extension: the meta-test checks that every rule id has a detector that
 * emits it, a unit test that names it, and for each browser either an e2e test that names it or the
 * reason that browser cannot show it.
 */
export type E2eProof =
  /** An e2e test file that asserts the rule in this browser. */
  | { test: string }
  /** The browser cannot show it: what it withholds from extensions, or refuses before they look. */
  | { cannot: string }
  /** The browser can show it, but no e2e test does yet: the gap, stated, listed in the README's notes. */
  | { untested: string };

export interface RuleProof {
  /** The pure detector module that returns findings with this rule id. */
  detector: string;
  /** A unit test file that names the rule. */
  unit: string;
  e2e: { chromium: E2eProof; firefox: E2eProof };
}

const both = (test: string) => ({ chromium: { test }, firefox: { test } });
const CHROME_NO_ROOT =
  'Chrome never tells an extension whether a root is built in, not even through the debugger (README, "What it checks" note 2).';
const CHROMIUM_REFUSES_OLD_TLS = 'Chromium refuses the handshake (TLS below 1.2, CBC suites) before any page or extension sees the connection.';
const CERT_HIDDEN =
  'Firefox refuses such a certificate, and after a click-through shows extensions no chain to judge (measured, session of 24 Nov 2026); its unit tests cover the rule.';

export const RULE_PROOFS: Record<RuleId, RuleProof> = {
  'tls.http-page': { detector: 'lib/core/detect/tls.ts', unit: 'tests/unit/detect-tls.test.ts', e2e: both('tests/e2e/tls.test.ts') },
  'tls.https-to-http-redirect': { detector: 'lib/core/detect/tls.ts', unit: 'tests/unit/detect-tls.test.ts', e2e: both('tests/e2e/tls.test.ts') },
  'tls.insecure-form': { detector: 'lib/core/detect/tls.ts', unit: 'tests/unit/detect-tls.test.ts', e2e: both('tests/e2e/tls.test.ts') },
  'tls.insecure-websocket': { detector: 'lib/core/detect/tls.ts', unit: 'tests/unit/detect-tls.test.ts', e2e: both('tests/e2e/tls.test.ts') },
  'tls.mixed-content': {
    detector: 'lib/core/detect/tls.ts',
    unit: 'tests/unit/detect-tls.test.ts',
    e2e: {
      chromium: { cannot: 'Chromium upgrades http subresources of https pages, or blocks them, before an extension sees the request.' },
      firefox: { test: 'tests/e2e/tls.test.ts' },
    },
  },
  'tls.weak-protocol': {
    detector: 'lib/core/detect/tls.ts',
    unit: 'tests/unit/detect-tls.test.ts',
    e2e: { chromium: { cannot: CHROMIUM_REFUSES_OLD_TLS }, firefox: { test: 'tests/e2e/tls.test.ts' } },
  },
  'tls.weak-cipher': {
    detector: 'lib/core/detect/tls.ts',
    unit: 'tests/unit/detect-tls.test.ts',
    e2e: { chromium: { cannot: CHROMIUM_REFUSES_OLD_TLS }, firefox: { test: 'tests/e2e/tls.test.ts' } },
  },
  'tls.hsts-dropped': { detector: 'lib/core/detect/tls.ts', unit: 'tests/unit/detect-tls.test.ts', e2e: both('tests/e2e/tls.test.ts') },
  'cert.untrusted-root': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: { chromium: { cannot: CHROME_NO_ROOT }, firefox: { test: 'tests/e2e/cert.test.ts' } },
  },
  'cert.issuer-changed': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: { chromium: { test: 'tests/e2e/deep.test.ts' }, firefox: { test: 'tests/e2e/cert.test.ts' } },
  },
  'cert.key-changed': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: {
      chromium: { untested: 'Chrome sees it only with deep inspection; the deep e2e asserts the issuer change of the same scenario, not the key change.' },
      firefox: { test: 'tests/e2e/cert.test.ts' },
    },
  },
  'cert.known-interceptor': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: {
      chromium: { untested: 'Chrome sees it only with deep inspection; no deep e2e runs behind mitmproxy yet.' },
      firefox: { test: 'tests/e2e/cert.test.ts' },
    },
  },
  'cert.error': {
    detector: 'lib/core/detect/cert-error.ts',
    unit: 'tests/unit/detect-cert-error.test.ts',
    e2e: both('tests/e2e/cert.test.ts'),
  },
  'cert.error-bypassed': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: {
      chromium: { cannot: 'Chrome tells extensions nothing about a certificate warning that was clicked through.' },
      firefox: { test: 'tests/e2e/cert.test.ts' },
    },
  },
  'cert.expired': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: { chromium: { cannot: CERT_HIDDEN.replace('Firefox', 'Chromium') }, firefox: { cannot: CERT_HIDDEN } },
  },
  'cert.weak-signature': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: { chromium: { cannot: CERT_HIDDEN.replace('Firefox', 'Chromium') }, firefox: { cannot: CERT_HIDDEN } },
  },
  'cert.ct-missing': {
    detector: 'lib/core/detect/cert.ts',
    unit: 'tests/unit/detect-cert.test.ts',
    e2e: {
      chromium: { cannot: CHROME_NO_ROOT },
      firefox: {
        cannot:
          'The rule applies only under a built-in root, which a lab cannot have: Firefox ESR ignores the test pref security.test.built_in_root_hash (tried, 24 Nov 2026).',
      },
    },
  },
  'script.new-origin': { detector: 'lib/core/detect/scripts.ts', unit: 'tests/unit/detect-scripts.test.ts', e2e: both('tests/e2e/scripts.test.ts') },
  'script.new-inline': { detector: 'lib/core/detect/scripts.ts', unit: 'tests/unit/detect-scripts-family.test.ts', e2e: both('tests/e2e/scripts.test.ts') },
  'script.content-changed': {
    detector: 'lib/core/detect/scripts.ts',
    unit: 'tests/unit/detect-scripts-family.test.ts',
    e2e: {
      chromium: { cannot: 'Chrome gives extensions no response bodies, so it cannot hash script bytes (only a removed SRI attribute shows).' },
      firefox: { test: 'tests/e2e/scripts.test.ts' },
    },
  },
  'script.csp-dropped': { detector: 'lib/core/detect/scripts.ts', unit: 'tests/unit/detect-scripts-family.test.ts', e2e: both('tests/e2e/scripts.test.ts') },
  'script.csp-violation': { detector: 'lib/core/detect/scripts.ts', unit: 'tests/unit/detect-scripts-family.test.ts', e2e: both('tests/e2e/scripts.test.ts') },
  'script.hidden-iframe': { detector: 'lib/core/detect/scripts.ts', unit: 'tests/unit/detect-scripts-family.test.ts', e2e: both('tests/e2e/scripts.test.ts') },
  'script.by-extension': { detector: 'lib/core/detect/scripts.ts', unit: 'tests/unit/detect-scripts-family.test.ts', e2e: both('tests/e2e/scripts.test.ts') },
};
