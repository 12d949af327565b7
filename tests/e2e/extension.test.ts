import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { getStorageLocal } from './idb';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

describe.each(['chromium', 'firefox'] as const)('tapguard in %s against the lab', (browserName) => {
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;

  beforeAll(async () => {
    context = await startLabSession(browserName);
    ({ lab, session, probe } = context);
  });
  afterAll(() => context?.close());

  // The tests run in order on one profile: the first visits teach the baseline, as a user's would.
  it('records nothing of medium or above on clean pages, and says so in the popup', async () => {
    const login = await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    const inbox = await visit(session, probe, lab, 'clean', lab.url('mail', '/?_task=mail'));
    const chat = await visit(session, probe, lab, 'clean', lab.url('chat', '/'));
    for (const v of [login, inbox, chat]) {
      expect(v.incidents.filter(atLeastMedium), v.url).toEqual([]);
      expect(v.popup.level, v.url).toBe('clear');
      expect(v.popup.badge).toBe('');
      expect(v.popup.events, v.url).toEqual([]);
    }
    expect(login.popup.headline).toBe(`Nothing suspicious seen on ${LAB_HOSTS.mail}.`);
    // The webmail was recognised from its DOM and is now watched.
    expect(await probe.visitsOf(LAB_HOSTS.mail)).toBeGreaterThanOrEqual(2);
    if (browserName === 'chromium') expect(login.popup.notChecked.join(' ')).toContain('Certificate chain and root');
    else expect(login.popup.notChecked).toEqual([]);
  });

  it('reports an injected third-party script (script.new-origin)', async () => {
    const v = await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'));
    const injected = v.incidents.filter((i) => i.rule === 'script.new-origin');
    expect(injected).toHaveLength(1);
    expect(injected[0]).toMatchObject({ severity: 'high', host: LAB_HOSTS.mail, kind: 'script-injection' });
    expect(injected[0]!.evidence.scriptOrigin).toBe(new URL(lab.url('evil', '/')).origin);
    expect(v.popup.level).toBe('danger');
    expect(v.popup.incidentTitles).toContain(`A script from a new source appeared on ${LAB_HOSTS.mail}`);
    // The attacker also had to loosen the page's CSP for the script to run: a second incident.
    const csp = v.incidents.find((i) => i.rule === 'script.csp-dropped');
    expect(csp?.evidence.reasons).toEqual([`the source ${new URL(lab.url('evil', '/')).origin} was added`]);
    expect(v.popup.badge).toBe('2');
    // One story: one event naming the injected origin, the script and the loosened CSP beneath.
    const evil = new URL(lab.url('evil', '/')).origin;
    expect(v.popup.events).toEqual([
      {
        headline: `Code from ${evil} was injected into ${LAB_HOSTS.mail}.`,
        signs: [`A script from a new source appeared on ${LAB_HOSTS.mail}`, `The script protection (CSP) of ${LAB_HOSTS.mail} was weakened or removed`],
        covers: expect.stringContaining('Covers the 2 signs above'),
      },
    ]);
    // Stored once, chained, naming both findings.
    const events = v.incidents.filter((i) => (i.kind as string) === 'event');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ rule: 'event.injection', severity: 'high', host: LAB_HOSTS.mail, dedupeKey: `event|injection|${LAB_HOSTS.mail}|${evil}` });
    expect([...(events[0]!.evidence.findings as string[])].sort()).toEqual([injected[0]!.dedupeKey, csp!.dedupeKey].sort());
  });

  it('reports the chat page served over plain http (tls.http-page)', async () => {
    // The chat host sends no HSTS, so the browser lets a stripped link through (see lab/server.ts).
    const v = await visit(session, probe, lab, 'http-page', lab.url('chat', '/', 'http'));
    expect(v.incidents.map((i) => i.rule)).toContain('tls.http-page');
    const stripped = v.incidents.find((i) => i.rule === 'tls.http-page')!;
    expect(stripped).toMatchObject({ severity: 'critical', host: LAB_HOSTS.chat, url: lab.url('chat', '/', 'http') });
    expect(v.popup.level).toBe('danger');
    // One downgrade event, stored once, naming every finding of the page (the socket opened before the page reported too).
    expect(v.popup.events.map((e) => e.headline)).toEqual([`The encryption of ${LAB_HOSTS.chat} was stripped: what you send can be read on the network.`]);
    const events = v.incidents.filter((i) => (i.kind as string) === 'event');
    expect(events).toHaveLength(1);
    const findings = v.incidents.filter((i) => (i.kind as string) !== 'event');
    expect([...(events[0]!.evidence.findings as string[])].sort()).toEqual(findings.map((i) => i.dedupeKey).sort());
  });

  it('reports an interception CA in Firefox (cert.untrusted-root) and cannot see it in Chromium', async () => {
    const v = await visit(session, probe, lab, 'interception-ca', lab.url('mail', '/'));
    const rogue = v.incidents.filter((i) => i.rule === 'cert.untrusted-root');
    if (browserName === 'firefox') {
      expect(rogue.length).toBeGreaterThanOrEqual(1);
      expect(rogue[0]).toMatchObject({ severity: 'critical', host: LAB_HOSTS.mail });
      expect(rogue[0]!.evidence.rootSha256).toBe(lab.interceptCaFingerprintSha256);
      expect(String(rogue[0]!.evidence.root)).toContain('Lab Interception Root');
      expect(v.popup.level).toBe('danger');
      expect(v.popup.headline).toContain('probably being intercepted');
      // The lab's interception root names no known product: the event says plainly who is unknown.
      expect(v.popup.events).toHaveLength(1);
      expect(v.popup.events[0]!.headline).toBe(`Your connection to ${LAB_HOSTS.mail} is probably being intercepted. Who is doing it is unknown.`);
      expect(v.popup.events[0]!.signs).toContain(`Your connection to ${LAB_HOSTS.mail} is probably being intercepted`);
    } else {
      expect(rogue).toEqual([]);
      expect(v.popup.events).toEqual([]);
      expect(v.popup.notChecked.join(' ')).toContain('Certificate chain and root');
    }
  });

  it.runIf(browserName === 'firefox')('lets the user trust a private root for one host, after a warning (Firefox)', async () => {
    const tab = await session.browser.newPage();
    await visit(session, probe, lab, 'interception-ca', lab.url('mail', '/'), tab);
    await probe.clickInPopup(await probe.tabIdOf(lab.url('mail', '/')), 'Trust this root for', 'Yes, trust it');
    const { settings } = (await getStorageLocal(probe.page)) as { settings: { trustedRoots: Record<string, string[]> } };
    expect(settings.trustedRoots[LAB_HOSTS.mail]).toContain(lab.interceptCaFingerprintSha256);
    const again = await visit(session, probe, lab, 'interception-ca', lab.url('mail', '/'), tab);
    expect(again.popup.level).toBe('clear');
    await tab.close();
  });

  it('lets the user mark an event as expected, all its signs at once: still logged, no longer badged', async () => {
    const tab = await session.browser.newPage();
    const before = await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'), tab);
    expect(before.popup.badge).toBe('2');
    // The repeat folded into the event recorded earlier: no second event record.
    expect(before.incidents.filter((i) => (i.kind as string) === 'event')).toEqual([]);
    const tabId = await probe.tabIdOf(lab.url('mail', '/'));
    await probe.clickInPopup(tabId, 'Mark as expected');
    const after = await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'), tab);
    expect(after.popup.events).toEqual([]);
    expect(after.popup.badge).toBe('');
    expect(after.popup.level).toBe('clear');
    expect(after.popup.expectedCount).toBe(2);
    await tab.close();
  });

  it('keeps an intact hash chain across everything it recorded', async () => {
    const { verifyChain } = await import('../../lib/store/export');
    const all = await probe.incidents();
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(verifyChain(all)).toEqual({ ok: true, count: all.length, gaps: 0 });
  });
});
