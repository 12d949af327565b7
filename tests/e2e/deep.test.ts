import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

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
      // The chat's socket host is part of the chat, as a service's socket hosts are.
      settings: { deepInspection: true, userSites: [LAB_HOSTS.chat, LAB_HOSTS.chatSocket] },
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

  it('reports a private root that copies the real CA\'s names, in the same tab, as high or worse', async () => {
    await visit(session, probe, lab, 'clean', lab.url('mail', '/'), tab);
    const v = await visit(session, probe, lab, 'copycat-ca', lab.url('mail', '/'), tab);
    const changed = v.incidents.find((i) => i.rule === 'cert.issuer-changed' && i.host === LAB_HOSTS.mail);
    expect(HIGH_OR_WORSE).toContain(changed?.severity);
    expect(changed!.evidence).toMatchObject({ reason: 'copied-names', namesCopied: true, issuer: 'O=Tapguard Lab,CN=Tapguard Lab Root CA', rootBuiltIn: null });
    expect(v.incidents.map((i) => i.rule)).toContain('cert.key-changed');
    expect(v.popup.level).toBe('danger');
  });

  it('records the same interception on the first load of a new tab', async () => {
    const before = await recordedCount(probe);
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
      // Recorded again: as a repeat of the incident above (same chain, same key) or as a new one.
      expect(await recordedCount(probe)).toBeGreaterThan(before);
      const popup = await probe.popupFor(tabId);
      expect(popup.level).toBe('danger');
      expect(popup.notChecked.join(' ')).not.toContain('Certificate chain and root');
      // The popup says what deep inspection judged on this tab, and by which route.
      expect(await capabilityNotes(session, tabId)).toContain(`Judged: ${LAB_HOSTS.mail} (this page, read by the debugger after one request of tapguard's own`);
    } finally {
      await fresh.close().catch(() => undefined);
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
      let onSocket: Awaited<ReturnType<ExtensionProbe['incidents']>> = [];
      for (let i = 0; i < 40 && onSocket.length === 0; i++) {
        onSocket = (await probe.incidents()).filter((inc) => inc.host === LAB_HOSTS.chatSocket && inc.rule === 'cert.issuer-changed');
        if (onSocket.length === 0) await sleep(250);
      }
      expect(onSocket[0]).toMatchObject({ severity: expect.stringMatching(/^(high|critical)$/), evidence: expect.objectContaining({ resourceType: 'websocket', reason: 'copied-names' }) });
      // The chat page itself stayed clean.
      expect((await probe.incidents()).filter((i) => i.host === LAB_HOSTS.chat && atLeastMedium(i))).toEqual([]);
    } finally {
      await chatTab.close().catch(() => undefined);
    }
  });
});
