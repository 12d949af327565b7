import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

describe.each(['chromium', 'firefox'] as const)('TLS downgrade detection in %s', (browserName) => {
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;

  beforeAll(async () => {
    context = await startLabSession(browserName, {
      trustInterceptCa: false,
      // Current Firefox no longer offers CBC suites; this one is re-enabled, as an old or
      // enterprise-configured profile would have it, so the weak-tls scenario's handshake succeeds.
      // Likewise TLS 1.1 (old-tls), and images on https pages left on http instead of upgraded
      // (mixed-content): what an old or misconfigured browser lets through is what these rules see.
      extraPrefsFirefox: {
        'security.ssl3.ecdhe_ecdsa_aes_128_sha': true,
        'security.tls.version.min': 2,
        'security.tls.version.enable-deprecated': true,
        'security.mixed_content.upgrade_display_content': false,
      },
    });
    ({ lab, session, probe } = context);
    // First visits teach the baseline: both hosts over https, HSTS on the mail host.
    for (const url of [lab.url('mail', '/'), lab.url('chat', '/')]) {
      const v = await visit(session, probe, lab, 'clean', url);
      expect(v.incidents.filter(atLeastMedium)).toEqual([]);
    }
  });
  afterAll(() => context?.close());

  it("does not report a service's own http→https upgrade", async () => {
    const v = await visit(session, probe, lab, 'clean', lab.url('chat', '/', 'http'));
    expect(v.incidents.filter(atLeastMedium)).toEqual([]);
    expect(v.popup.level).toBe('clear');
  });

  it('reports an https link redirected to http (tls.https-to-http-redirect)', async () => {
    const v = await visit(session, probe, lab, 'https-to-http-redirect', lab.url('chat', '/'));
    const redirect = v.incidents.find((i) => i.rule === 'tls.https-to-http-redirect');
    expect(redirect).toMatchObject({ severity: 'critical', host: LAB_HOSTS.chat });
    expect(redirect!.evidence).toMatchObject({ fromUrl: lab.url('chat', '/'), toUrl: lab.url('chat', '/', 'http') });
    expect(v.incidents.map((i) => i.rule)).toContain('tls.http-page');
    expect(v.popup.level).toBe('danger');
  });

  it('reports the stripped chat: clear-text socket and form (tls.insecure-websocket, tls.insecure-form)', async () => {
    const v = await visit(session, probe, lab, 'http-page', lab.url('chat', '/', 'http'));
    const rules = v.incidents.map((i) => i.rule);
    // Repeats of the previous test's incidents are counted, not appended: check the tab's view too.
    const seen = new Set([...rules, ...(await probe.incidents()).filter((i) => i.host === LAB_HOSTS.chat).map((i) => i.rule)]);
    expect(seen).toContain('tls.insecure-websocket');
    expect(seen).toContain('tls.insecure-form');
    const socket = (await probe.incidents()).find((i) => i.rule === 'tls.insecure-websocket')!;
    expect(String(socket.evidence.socketUrl)).toMatch(/^ws:\/\/chat\.tapguard\.test:\d+\/socket$/);
    expect(v.popup.badge).not.toBe('');
  });

  it('reports HSTS removed from the mail host (tls.hsts-dropped)', async () => {
    const v = await visit(session, probe, lab, 'stripped-headers', lab.url('mail', '/'));
    const dropped = v.incidents.find((i) => i.rule === 'tls.hsts-dropped');
    expect(dropped).toMatchObject({ severity: 'medium', host: LAB_HOSTS.mail, evidence: { baselineMaxAge: 31536000, header: null } });
    // The same stripping removed the CSP, which is worse: the verdict follows the worst.
    expect(v.incidents.find((i) => i.rule === 'script.csp-dropped')).toMatchObject({ severity: 'high' });
    expect(v.popup.level).toBe('danger');
  });

  it.runIf(browserName === 'firefox')('reports a weak cipher (tls.weak-cipher, Firefox only)', async () => {
    // Chromium refuses this suite outright (ERR_SSL_VERSION_OR_CIPHER_MISMATCH), and cannot show
    // extensions the negotiated cipher anyway.
    const v = await visit(session, probe, lab, 'weak-tls', lab.url('mail', '/'));
    const weak = v.incidents.find((i) => i.rule === 'tls.weak-cipher');
    expect(weak).toMatchObject({ severity: 'medium', evidence: { cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', protocol: 'TLSv1.2' } });
    expect(v.popup.level).toBe('warning');
  });

  it.runIf(browserName === 'firefox')('reports TLS 1.1 (tls.weak-protocol, Firefox only)', async () => {
    const v = await visit(session, probe, lab, 'old-tls', lab.url('mail', '/'));
    expect(v.incidents.find((i) => i.rule === 'tls.weak-protocol')).toMatchObject({ severity: 'high', evidence: { protocol: 'TLSv1.1' } });
  });

  it.runIf(browserName === 'firefox')('reports an http image on the https webmail (tls.mixed-content, passive: low)', async () => {
    // Chromium upgrades or blocks mixed content before extensions see a request, so it has none.
    const v = await visit(session, probe, lab, 'mixed-content', lab.url('mail', '/?_task=mail'));
    const mixed = v.incidents.find((i) => i.rule === 'tls.mixed-content');
    expect(mixed).toMatchObject({ severity: 'low', host: LAB_HOSTS.mail, evidence: { resourceType: 'image', active: false, resourceUrl: lab.url('chat', '/logo.png', 'http') } });
  });
});
