import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/server';
import type { Session } from './browsers';
import { writeInjectingExtension } from './other-extension';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

describe.each(['chromium', 'firefox'] as const)('script injection detection in %s', (browserName) => {
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;

  beforeAll(async () => {
    context = await startLabSession(browserName, { trustInterceptCa: false });
    ({ lab, session, probe } = context);
    // Several clean visits: scripts, inline code (none here), CSP and script bytes become the baseline.
    for (const p of ['/', '/?_task=mail', '/', '/?_task=mail', '/', '/?_task=mail', '/', '/?_task=mail']) {
      const v = await visit(session, probe, lab, 'clean', lab.url('mail', p));
      expect(v.incidents.filter(atLeastMedium), p).toEqual([]);
    }
  });
  afterAll(() => context?.close());

  it('reports injected inline code and the CSP loosened for it', async () => {
    const v = await visit(session, probe, lab, 'inline-script', lab.url('mail', '/'));
    const inline = v.incidents.find((i) => i.rule === 'script.new-inline');
    expect(inline).toMatchObject({ severity: 'medium' });
    expect(inline!.evidence.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Inline previews are off by default: the evidence names the code by its hash, not its text.
    expect(inline!.evidence).not.toHaveProperty('preview');
    expect(JSON.stringify(inline)).not.toContain('__tapguardLabInline');
    const csp = v.incidents.find((i) => i.rule === 'script.csp-dropped');
    expect(csp?.evidence.reasons).toEqual(["'unsafe-inline' was added"]);
    // One event: the new code, with the CSP loosened for it beneath.
    expect(v.popup.events).toEqual([
      { headline: expect.stringContaining('New or changed code appeared on'), signs: [inline!.title, csp!.title], covers: expect.any(String) },
    ]);
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
    // The script that got through and the one refused come from one origin: one injection.
    expect(v.popup.events.map((e) => e.headline)).toContain(`Code from ${new URL(lab.url('evil', '/')).origin} was injected into ${new URL(lab.url('mail', '/')).hostname}.`);
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

  it("attributes a script another extension injects, as info that never badges", async () => {
    const other = await writeInjectingExtension(browserName);
    try {
      const id = await session.browser.installExtension(other);
      const v = await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
      const byExtension = v.incidents.find((i) => i.rule === 'script.by-extension');
      expect(byExtension).toMatchObject({ severity: 'info' });
      expect(String(byExtension!.evidence.extension)).toMatch(browserName === 'chromium' ? new RegExp(`^chrome-extension://${id}$`) : /^moz-extension:\/\//);
      expect(v.incidents.filter(atLeastMedium)).toEqual([]);
      expect(v.popup.badge).toBe('');
      expect(v.popup.level).toBe('clear');
      await session.browser.uninstallExtension(id);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('stays quiet when the clean page comes back', async () => {
    const v = await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    expect(v.incidents.filter(atLeastMedium)).toEqual([]);
  });

  it('warns about a script injected into the reading pane, a same-origin frame of the inbox', async () => {
    // Only the frame's document carries the script; the inbox around it is the clean one. (The
    // script's origin was already recorded by an earlier test, so this visit counts as a repeat
    // in the log: the tab's popup is what must show it.)
    const v = await visit(session, probe, lab, 'injected-in-frame', lab.url('mail', '/?_task=mail'));
    expect(v.popup.level).toBe('danger');
    expect(v.popup.incidentTitles).toContainEqual(expect.stringMatching(/script from a new source/i));
    // The pane is the service's own visible frame: no frame alarm.
    expect(v.popup.incidentTitles).not.toContainEqual(expect.stringMatching(/frame/i));
    expect(v.popup.events.map((e) => e.headline)).toEqual([`Code from ${new URL(lab.url('evil', '/')).origin} was injected into ${new URL(lab.url('mail', '/')).hostname}.`]);
    const evil = new URL(lab.url('evil', '/')).origin;
    const incident = (await probe.incidents()).find((i) => i.rule === 'script.new-origin' && i.evidence.scriptOrigin === evil);
    const occurrence = (await probe.occurrences()).find((o) => o.incidentId === incident?.id);
    expect(occurrence?.count).toBeGreaterThanOrEqual(2);
  });
});
