import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { HAVE_MITMPROXY, launchBehindMitmproxy, type MitmSession } from './mitmproxy';
import { atLeastMedium, ExtensionProbe, labSettings, lastIdOf, startLabSession, visit, waitForIncident, type LabSession } from './scenario-runner';

// The test build grants `debugger` at install (see wxt.config.ts); users grant it from the options.
const DEEP_BUILD = path.resolve('.output/e2e-deep/chrome-mv3');
const HIGH_OR_WORSE = ['high', 'critical'];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface DeepStatus {
  state: string;
  judged?: Array<{ host: string; what: string; source: string }>;
}

/** What the background told the popup about deep inspection on this tab (storage.session). */
async function deepStatusOf(probe: ExtensionProbe, tabId: number): Promise<DeepStatus | undefined> {
  const json = (await probe.page.evaluate(`chrome.storage.session.get('deep:${tabId}').then((s) => JSON.stringify(s['deep:${tabId}'] ?? null))`)) as string;
  return (JSON.parse(json) as DeepStatus | null) ?? undefined;
}

/** The notes of the popup's list of checks, as a user reads them. */
async function capabilityNotes(session: Session, tabId: number): Promise<string> {
  const popup = await session.openExtensionPage(`/popup.html?tab=${tabId}`);
  try {
    await popup.waitForSelector('main[data-ready="true"]', { timeout: 15_000 });
    return (await popup.evaluate(`document.querySelector('.capabilities')?.textContent ?? ''`)) as string;
  } finally {
    await popup.close().catch(() => undefined);
  }
}

/** Whether Chrome's debugger is attached to the tab, as the extension itself sees it. */
async function debuggerAttachedTo(probe: ExtensionProbe, tabId: number): Promise<boolean> {
  return (await probe.page.evaluate(`chrome.debugger.getTargets().then((targets) => targets.some((t) => t.tabId === ${tabId} && t.attached))`)) as boolean;
}

/** Each issuer or key change recorded, with how many times it was seen (itself and its repeats). */
async function changesSeen(probe: ExtensionProbe) {
  const incidents = (await probe.incidents()).filter((i) => i.rule === 'cert.issuer-changed' || i.rule === 'cert.key-changed');
  const occurrences = await probe.occurrences();
  const seen = new Map<string, { key: string; incident: (typeof incidents)[number]; count: number }>();
  for (const incident of incidents) {
    const repeats = occurrences.filter((o) => o.incidentId === incident.id).reduce((sum, o) => sum + o.count, 0);
    const key = String(incident.id);
    seen.set(key, { key, incident, count: 1 + repeats });
  }
  return seen;
}

/** Incidents plus their repeats: a finding seen again is counted, not stored twice. */
async function recordedCount(probe: ExtensionProbe): Promise<number> {
  const repeats = (await probe.occurrences()).reduce((sum, o) => sum + o.count, 0);
  return repeats + (await probe.incidents()).length;
}

describe('Chrome deep inspection against the lab', () => {
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  let tab: Page;

  beforeAll(async () => {
    context = await startLabSession('chromium', {
      extensionDir: DEEP_BUILD,
      // The copycat CA carries the lab CA's very names: trusted in the profile like the
      // interception CA, as a state-mandated or stolen-names root would be.
      trustCopycatCa: true,
      // Only the chat page is a site: its socket host and the mail's API host are judged as
      // hosts of the page's session, as a service's message hosts are.
      settings: { deepInspection: true, userSites: [LAB_HOSTS.chat] },
    });
    ({ lab, session, probe } = context);
    // One tab throughout, as a user reading mail: the debugger attaches when it reaches the mail host.
    tab = await session.browser.newPage();
  });
  afterAll(() => context?.close());

  it('reads certificates of mail pages, quietly on clean visits and a routine renewal', async () => {
    for (const scenario of ['clean', 'clean', 'clean', 'leaf-rotation'] as const) {
      const v = await visit(session, probe, lab, scenario, lab.url('mail', '/'), tab);
      expect(v.incidents.filter(atLeastMedium), scenario).toEqual([]);
    }
    const baseline = (await probe.baselines()).find((b) => b.host === LAB_HOSTS.mail) as unknown as { certIssuers: string[] };
    expect(baseline.certIssuers).toEqual(['O=Tapguard Lab,CN=Tapguard Lab Root CA']);
    const status = await deepStatusOf(probe, await probe.tabIdOf(lab.url('mail', '/')));
    expect(status?.judged).toContainEqual(expect.objectContaining({ host: LAB_HOSTS.mail, what: 'page' }));
  });

  it('reports the interception CA as an issuer change, and says certificates were checked', async () => {
    const v = await visit(session, probe, lab, 'interception-ca', lab.url('mail', '/'), tab);
    const changed = v.incidents.find((i) => i.rule === 'cert.issuer-changed');
    expect(changed).toMatchObject({ severity: 'high', browser: expect.stringMatching(/^Chrome\//) });
    expect(changed!.evidence).toMatchObject({ reason: 'new-ca-family', current: { issuer: 'O=Lawful Interception Lab,CN=Lab Interception Root' } });
    // Chrome cannot tell a private root from a built-in one: that rule must stay silent, not guess.
    expect(v.incidents.map((i) => i.rule)).not.toContain('cert.untrusted-root');
    expect(v.popup.level).toBe('danger');
    expect(v.popup.notChecked.join(' ')).not.toContain('Certificate chain and root');
  });

  it('keeps the debugger and what it judged through a navigation that never commits (204)', async () => {
    await visit(session, probe, lab, 'clean', lab.url('mail', '/'), tab);
    const tabId = await probe.tabIdOf(lab.url('mail', '/'));
    const before = await deepStatusOf(probe, tabId);
    expect(before?.judged).toContainEqual(expect.objectContaining({ host: LAB_HOSTS.mail, what: 'page' }));
    const notes = await capabilityNotes(session, tabId);
    // Once on the mail host, once to another host: neither navigation commits.
    for (const target of [lab.url('mail', '/no-content'), lab.url('evil', '/no-content')]) {
      await tab.evaluate((href) => {
        location.href = href;
      }, target);
      await sleep(2_500);
      expect(tab.url()).toBe(lab.url('mail', '/'));
    }
    expect(await deepStatusOf(probe, tabId)).toEqual(before);
    expect(await debuggerAttachedTo(probe, tabId)).toBe(true);
    // The popup still says what deep inspection judged on this page, and not that it missed it.
    expect(await capabilityNotes(session, tabId)).toBe(notes);
  });

  it('reports a private root that copies the real CA\'s names, in the same tab, as high or worse', async () => {
    await visit(session, probe, lab, 'clean', lab.url('mail', '/'), tab);
    const v = await visit(session, probe, lab, 'copycat-ca', lab.url('mail', '/'), tab);
    const changed = v.incidents.find((i) => i.rule === 'cert.issuer-changed' && i.host === LAB_HOSTS.mail);
    expect(HIGH_OR_WORSE).toContain(changed?.severity);
    expect(changed!.evidence).toMatchObject({ reason: 'copied-names', namesCopied: true, issuer: 'O=Tapguard Lab,CN=Tapguard Lab Root CA', rootBuiltIn: null });
    expect(v.incidents.map((i) => i.rule)).toContain('cert.key-changed');
    expect(v.popup.level).toBe('danger');
    // One story, and the headline says plainly that who is behind it is unknown.
    expect(v.popup.events).toHaveLength(1);
    expect(v.popup.events[0]!.headline).toBe(`Your connection to ${LAB_HOSTS.mail} is probably being intercepted. Who is doing it is unknown.`);
    expect(v.popup.events[0]!.signs).toEqual(expect.arrayContaining([changed!.title]));
  });

  it('records the same interception on the first load of a new tab', async () => {
    const before = await recordedCount(probe);
    const seen = await changesSeen(probe);
    lab.setScenario('copycat-ca');
    const fresh = await session.browser.newPage();
    try {
      await fresh.goto(lab.url('mail', '/inbox'), { waitUntil: 'load', timeout: 30_000 });
      const tabId = await probe.tabIdOf(lab.url('mail', '/inbox'));
      let status: DeepStatus | undefined;
      for (let i = 0; i < 60 && !status?.judged?.some((j) => j.host === LAB_HOSTS.mail); i++) {
        await sleep(250);
        status = await deepStatusOf(probe, tabId);
      }
      // The first load beat the attachment in this lab, so the probe request judged it.
      expect(status?.judged).toContainEqual({ host: LAB_HOSTS.mail, what: 'page', source: 'debugger-probe' });
      // Recorded again: as a repeat of the incident above (same chain, same key) or as a new one,
      // and what was recorded is an issuer or key change of the mail host, high or worse.
      expect(await recordedCount(probe)).toBeGreaterThan(before);
      const again = [...(await changesSeen(probe)).values()].filter((c) => c.count > (seen.get(c.key)?.count ?? 0));
      expect(again.map((c) => [c.incident.host, c.incident.rule, c.incident.severity])).toContainEqual([LAB_HOSTS.mail, expect.stringMatching(/^cert\.(issuer|key)-changed$/), expect.stringMatching(/^(high|critical)$/)]);
      const popup = await probe.popupFor(tabId);
      expect(popup.level).toBe('danger');
      expect(popup.notChecked.join(' ')).not.toContain('Certificate chain and root');
      // The popup says what deep inspection judged on this tab, and by which route.
      expect(await capabilityNotes(session, tabId)).toContain(`Judged: ${LAB_HOSTS.mail} (this page, read by the debugger after one request of tapguard's own`);
    } finally {
      await fresh.close().catch(() => undefined);
    }
  });

  it("records the mail's API host intercepted on its own, through the page's session", async () => {
    const apiClient = lab.url('mail', '/api-client');
    const apiTab = await session.browser.newPage();
    try {
      for (const scenario of ['clean', 'clean'] as const) {
        const v = await visit(session, probe, lab, scenario, apiClient, apiTab);
        expect(v.incidents.filter(atLeastMedium), scenario).toEqual([]);
      }
      const afterId = await lastIdOf(probe);
      await visit(session, probe, lab, 'api-interception', apiClient, apiTab);
      const onApi = await waitForIncident(probe, afterId, (inc) => inc.host === LAB_HOSTS.mailApi && inc.rule === 'cert.issuer-changed');
      expect(onApi).toMatchObject({ severity: 'high', evidence: expect.objectContaining({ resourceType: 'xmlhttprequest', reason: 'new-ca-family' }) });
      const status = await deepStatusOf(probe, await probe.tabIdOf(apiClient));
      expect(status?.judged).toContainEqual({ host: LAB_HOSTS.mailApi, what: 'request', source: 'debugger' });
    } finally {
      await apiTab.close().catch(() => undefined);
    }
  });

  it('records the chat\'s socket host intercepted on its own', async () => {
    const chat = lab.url('chat', '/?socket=split');
    const chatTab = await session.browser.newPage();
    try {
      for (const scenario of ['clean', 'clean'] as const) {
        const v = await visit(session, probe, lab, scenario, chat, chatTab);
        expect(v.incidents.filter(atLeastMedium), scenario).toEqual([]);
      }
      expect(((await probe.baselines()).find((b) => b.host === LAB_HOSTS.chatSocket) as unknown as { certIssuers?: string[] })?.certIssuers).toEqual(['O=Tapguard Lab,CN=Tapguard Lab Root CA']);
      await visit(session, probe, lab, 'copycat-socket', chat, chatTab);
      const onSocket = await waitForIncident(probe, 0, (inc) => inc.host === LAB_HOSTS.chatSocket && inc.rule === 'cert.issuer-changed');
      expect(onSocket).toMatchObject({ severity: expect.stringMatching(/^(high|critical)$/), evidence: expect.objectContaining({ resourceType: 'websocket', reason: 'copied-names' }) });
      // The chat page itself stayed clean.
      expect((await probe.incidents()).filter((i) => i.host === LAB_HOSTS.chat && atLeastMedium(i))).toEqual([]);
    } finally {
      await chatTab.close().catch(() => undefined);
    }
  });
});

describe.skipIf(!HAVE_MITMPROXY)('Chrome deep inspection behind a real TLS-intercepting proxy (mitmproxy)', () => {
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  let behind: MitmSession | undefined;

  beforeAll(async () => {
    behind = await launchBehindMitmproxy('chromium', DEEP_BUILD);
    ({ lab, session, probe } = behind);
    await probe.setSettings({ ...labSettings(lab, 'chromium'), deepInspection: true });
  });
  afterAll(async () => {
    await behind?.close();
  });

  it('shows one event whose headline names mitmproxy, the certificate signs beneath it', async () => {
    // The first page of the self-hosted webmail is where tapguard recognises it; deep inspection
    // attaches from the next load on.
    await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    const tab = await session.browser.newPage();
    try {
      const afterId = await lastIdOf(probe);
      await visit(session, probe, lab, 'clean', lab.url('mail', '/?_task=mail'), tab);
      // The page may have beaten the attachment: then its certificate is read a moment later.
      const known = await waitForIncident(probe, afterId, (inc) => inc.rule === 'cert.known-interceptor');
      expect(known, behind?.log()).toMatchObject({ severity: 'high', host: LAB_HOSTS.mail, browser: expect.stringMatching(/^Chrome\//), evidence: { product: 'mitmproxy' } });
      await sleep(1_000);
      const popup = await probe.popupFor(await probe.tabIdOf(tab.url()));
      expect(popup.level).toBe('danger');
      expect(popup.events).toHaveLength(1);
      expect(popup.events[0]!.headline).toBe(`Your connection to ${LAB_HOSTS.mail} is being intercepted by mitmproxy, a TLS-inspection tool.`);
      expect(popup.events[0]!.signs).toEqual(expect.arrayContaining([known!.title]));
    } finally {
      await tab.close().catch(() => undefined);
    }
  });
});
