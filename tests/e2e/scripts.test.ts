import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_HOSTS, startLab, type Lab } from '../../lab/server';
import { launch, type BrowserName, type Session } from './browsers';
import { ExtensionProbe, labSettings, visit } from './scenario-runner';

const OUTPUT: Record<BrowserName, string> = {
  chromium: path.resolve('.output/chrome-mv3'),
  firefox: path.resolve('.output/firefox-mv2'),
};
const atLeastMedium = (i: { severity: string }) => ['medium', 'high', 'critical'].includes(i.severity);

describe.each(['chromium', 'firefox'] as const)('script injection detection in %s', (browserName) => {
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;

  beforeAll(async () => {
    lab = await startLab();
    session = await launch(browserName, {
      extensionDir: OUTPUT[browserName],
      trustCaPems: [lab.caCertPem],
      hostMap: Object.values(LAB_HOSTS),
    });
    probe = await ExtensionProbe.open(session);
    await probe.setSettings(labSettings(lab, browserName));
    // Several clean visits: scripts, inline code (none here), CSP and script bytes become the baseline.
    for (const p of ['/', '/?_task=mail', '/', '/?_task=mail', '/', '/?_task=mail', '/', '/?_task=mail']) {
      const v = await visit(session, probe, lab, 'clean', lab.url('mail', p));
      expect(v.incidents.filter(atLeastMedium), p).toEqual([]);
    }
  });
  afterAll(async () => {
    await session?.close();
    await lab?.close();
  });

  it('reports injected inline code and the CSP loosened for it', async () => {
    const v = await visit(session, probe, lab, 'inline-script', lab.url('mail', '/'));
    const inline = v.incidents.find((i) => i.rule === 'script.new-inline');
    expect(inline).toMatchObject({ severity: 'medium' });
    expect(String(inline!.evidence.preview)).toContain('__tapguardLabInline');
    const csp = v.incidents.find((i) => i.rule === 'script.csp-dropped');
    expect(csp?.evidence.reasons).toEqual(["'unsafe-inline' was added"]);
  });

  it('reports a hidden third-party frame', async () => {
    const v = await visit(session, probe, lab, 'hidden-iframe', lab.url('mail', '/?_task=mail'));
    const frame = v.incidents.find((i) => i.rule === 'script.hidden-iframe');
    expect(frame).toMatchObject({ severity: 'medium', evidence: { frameOrigin: new URL(lab.url('evil', '/')).origin } });
  });

  it("reports a script the page's own CSP refused", async () => {
    const v = await visit(session, probe, lab, 'blocked-script', lab.url('mail', '/'));
    const violation = v.incidents.find((i) => i.rule === 'script.csp-violation');
    expect(violation).toMatchObject({ severity: 'medium', evidence: { blocked: new URL(lab.url('evil', '/')).origin } });
    expect(v.incidents.map((i) => i.rule)).toContain('script.new-origin');
  });

  it('reports changed bytes under the same script URL in Firefox only', async () => {
    const v = await visit(session, probe, lab, 'script-changed', lab.url('mail', '/'));
    const changed = v.incidents.find((i) => i.rule === 'script.content-changed');
    if (browserName === 'firefox') {
      expect(changed).toMatchObject({ severity: 'high', evidence: { scriptUrl: lab.url('mail', '/program/js/app.min.js') } });
      expect(changed!.evidence.sha256).not.toBe(changed!.evidence.baselineSha256);
    } else {
      expect(changed).toBeUndefined();
    }
  });

  it('stays quiet when the clean page comes back', async () => {
    const v = await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    expect(v.incidents.filter(atLeastMedium)).toEqual([]);
  });
});
