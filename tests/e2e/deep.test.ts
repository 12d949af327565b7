import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { LAB_HOSTS, type Lab } from '../../lab/server';
import type { Session } from './browsers';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

// The test build grants `debugger` at install (see wxt.config.ts); users grant it from the options.
const DEEP_BUILD = path.resolve('.output/e2e-deep/chrome-mv3');

describe('Chrome deep inspection against the lab', () => {
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  let tab: Page;

  beforeAll(async () => {
    context = await startLabSession('chromium', { extensionDir: DEEP_BUILD, settings: { deepInspection: true } });
    ({ lab, session, probe } = context);
    // One tab throughout, as a user reading mail: the debugger attaches when it reaches the mail
    // host and sees the loads after that (the very first load can beat the attachment).
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
});
