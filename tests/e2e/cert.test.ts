/**
 * Certificate anomalies in Firefox, and the certificate errors Chromium reports: Chromium does not
 * show certificates to extensions (its deep-inspection mode is tested elsewhere). One profile learns the lab's clean chain on a first
 * visit, as a user's would, then meets a rotated key, an interception CA and a certificate error.
 * A second profile goes through a real TLS-intercepting proxy (mitmproxy) when it is installed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_HOSTS, startLab, type Lab } from '../../lab/server';
import { launch, type Session } from './browsers';
import { HAVE_MITMPROXY, launchBehindMitmproxy, type MitmSession } from './mitmproxy';
import { atLeastMedium, ExtensionProbe, labSettings, lastIdOf, visit, waitForIncident } from './scenario-runner';

const EXTENSION = path.resolve('.output/firefox-mv2');
/** Resolves to the lab like the others, but is not in the lab certificate's names. */
const MISNAMED_HOST = 'webmail.tapguard.test';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the incident log until one with `rule` and id above `afterId` appears. */
describe('certificate anomalies in Firefox against the lab', () => {
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  const started = Date.now();

  beforeAll(async () => {
    lab = await startLab();
    session = await launch('firefox', {
      extensionDir: EXTENSION,
      // The interception CA is trusted by the profile, as a state-mandated root would be installed.
      trustCaPems: [lab.caCertPem, lab.interceptCaCertPem],
      hostMap: [...Object.values(LAB_HOSTS), MISNAMED_HOST],
    });
    probe = await ExtensionProbe.open(session);
    const settings = labSettings(lab, 'firefox');
    await probe.setSettings({ ...settings, userSites: [...(settings.userSites as string[]), MISNAMED_HOST] });
  });
  afterAll(async () => {
    await session?.close();
    await lab?.close();
    console.log(`cert e2e (lab profile): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('learns the clean chain on the first visits and reports nothing of medium or above', async () => {
    for (const url of [lab.url('mail', '/'), lab.url('mail', '/?_task=mail'), lab.url('chat', '/')]) {
      const v = await visit(session, probe, lab, 'clean', url);
      expect(v.incidents.filter(atLeastMedium), url).toEqual([]);
      expect(v.popup.events, url).toEqual([]);
    }
    const mail = (await probe.baselines()).find((b) => b.host === LAB_HOSTS.mail) as unknown as { certRoots: string[]; certSpki: string[] };
    expect(mail.certRoots).toEqual([lab.caFingerprintSha256]);
  });

  it('stays quiet when the service rotates its key under the same CA (leaf-rotation)', async () => {
    const v = await visit(session, probe, lab, 'leaf-rotation', lab.url('mail', '/?_task=mail'));
    expect(v.incidents.filter(atLeastMedium)).toEqual([]);
    expect(v.popup.level).toBe('clear');
    // The new key joined the baseline: a renewal is the host's normal.
    const mail = (await probe.baselines()).find((b) => b.host === LAB_HOSTS.mail) as unknown as { certSpki: string[] };
    expect(mail.certSpki).toHaveLength(2);
  });

  it('reports the interception CA as cert.untrusted-root AND cert.issuer-changed, old and new side by side', async () => {
    const v = await visit(session, probe, lab, 'interception-ca', lab.url('mail', '/?_task=mail'));
    const untrusted = v.incidents.find((i) => i.rule === 'cert.untrusted-root');
    const changed = v.incidents.find((i) => i.rule === 'cert.issuer-changed');
    expect(untrusted).toMatchObject({ severity: 'critical', host: LAB_HOSTS.mail });
    expect(changed).toMatchObject({ severity: 'critical', host: LAB_HOSTS.mail, kind: 'cert-anomaly' });
    expect(changed!.evidence).toMatchObject({
      reason: 'new-private-root',
      previous: { roots: [{ sha256: lab.caFingerprintSha256, subject: expect.stringContaining('Tapguard Lab Root CA') }] },
      current: { rootSha256: lab.interceptCaFingerprintSha256, root: expect.stringContaining('Lab Interception Root'), rootBuiltIn: false },
      subject: `CN=${LAB_HOSTS.mail}`,
      protocol: expect.stringMatching(/^TLSv1\.[23]$/),
      leafSpkiSha256: expect.any(String),
      validFrom: expect.any(String),
      validUntil: expect.any(String),
    });
    // The lab signs with ECDSA P-256 / SHA-256: read from the DER, and not weak.
    expect(changed!.evidence.chain).toMatchObject([{ signatureAlgorithm: 'ecdsa-with-SHA256', key: 'ec-256' }, { key: 'ec-256' }]);
    expect(v.incidents.map((i) => i.rule)).toContain('cert.key-changed');
    expect(v.incidents.map((i) => i.rule)).not.toContain('cert.weak-signature');
    expect(v.popup.level).toBe('danger');
    // Four certificate findings, one event with all of them beneath.
    expect(v.popup.events).toHaveLength(1);
    expect(v.popup.events[0]!.signs).toEqual(expect.arrayContaining([untrusted!.title, changed!.title]));
  });

  it('did not learn the interception chain: the clean service is quiet again', async () => {
    const v = await visit(session, probe, lab, 'clean', lab.url('mail', '/?_task=mail'));
    expect(v.incidents.filter(atLeastMedium)).toEqual([]);
    const mail = (await probe.baselines()).find((b) => b.host === LAB_HOSTS.mail) as unknown as { certRoots: string[] };
    expect(mail.certRoots).toEqual([lab.caFingerprintSha256]);
  });

  it('reports a certificate the browser refused on a messaging host (cert.error)', async () => {
    const lastId = await lastIdOf(probe);
    const url = `https://${MISNAMED_HOST}:${lab.httpsPort}/`;
    const page = await session.browser.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 15_000 }).catch(() => undefined);
    const error = await waitForIncident(probe, lastId, (i) => i.rule === 'cert.error');
    await page.close().catch(() => undefined);
    expect(error).toMatchObject({ severity: 'high', host: MISNAMED_HOST, evidence: { errorCode: 'SSL_ERROR_BAD_CERT_DOMAIN', family: 'certificate', resourceType: 'main_frame' } });
  });

  it('reports a click-through of the certificate warning (cert.error-bypassed), as a user makes it', async () => {
    const lastId = await lastIdOf(probe);
    const url = `https://${MISNAMED_HOST}:${lab.httpsPort}/`;
    const page = await session.browser.newPage();
    try {
      await page.goto(url, { timeout: 15_000 }).catch(() => undefined);
      // Firefox's own warning page: "Advanced…", then "Accept the Risk and Continue".
      await page.waitForSelector('>>> #advanced-button', { timeout: 15_000 });
      await page.click('>>> #advanced-button');
      await page.waitForSelector('>>> #exception-button', { visible: true, timeout: 15_000 });
      // The button ignores clicks for a moment after it appears (Firefox's guard against
      // click-jacking), as a hurried user would find too.
      for (let tries = 0; tries < 20 && !page.url().startsWith('https:'); tries++) {
        await sleep(500);
        await page.click('>>> #exception-button').catch(() => undefined);
      }
      expect(page.url()).toBe(url);
      const bypassed = await waitForIncident(probe, lastId, (i) => i.rule === 'cert.error-bypassed');
      expect(bypassed).toMatchObject({
        severity: 'critical',
        host: MISNAMED_HOST,
        evidence: { overridableErrorCategory: 'domain_mismatch', isDomainMismatch: true, resourceType: 'main_frame' },
      });
    } finally {
      await page.close().catch(() => undefined);
    }
  });
});


describe.skipIf(!HAVE_MITMPROXY)('Firefox behind a real TLS-intercepting proxy (mitmproxy)', () => {
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  let behind: MitmSession | undefined;

  beforeAll(async () => {
    behind = await launchBehindMitmproxy('firefox', EXTENSION);
    ({ lab, session, probe } = behind);
    await probe.setSettings(labSettings(lab, 'firefox'));
  });
  afterAll(async () => {
    await behind?.close();
  });

  it('names mitmproxy (cert.known-interceptor) and its root (cert.untrusted-root)', async () => {
    // The very first page of a self-hosted webmail is where tapguard recognises it; certificates
    // are checked from then on (unknown pages are never held by the blocking listener).
    await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    const tab = await session.browser.newPage();
    const v = await visit(session, probe, lab, 'clean', lab.url('mail', '/?_task=mail'), tab);
    // The picture for docs/screenshots/ (with TAPGUARD_SCREENSHOTS=1): the popup a user would open here.
    await probe.popupFor(await probe.tabIdOf(tab.url()), 'mitmproxy-mail');
    await tab.close();
    const known = v.incidents.find((i) => i.rule === 'cert.known-interceptor');
    const untrusted = v.incidents.find((i) => i.rule === 'cert.untrusted-root');
    expect(known, behind?.log()).toMatchObject({ severity: 'high', host: LAB_HOSTS.mail, evidence: { product: 'mitmproxy', category: 'debugging', certainty: 'exact' } });
    expect(String((known!.evidence.matchedCert as { subject: string; issuer: string }).issuer)).toContain('mitmproxy');
    expect(untrusted).toMatchObject({ severity: 'critical', host: LAB_HOSTS.mail });
    expect(String(untrusted!.evidence.root)).toContain('mitmproxy');
    expect(v.popup.level).toBe('danger');
    // One story: one event that names mitmproxy, every certificate sign beneath it.
    expect(v.popup.events).toHaveLength(1);
    expect(v.popup.events[0]!.headline).toBe(`Your connection to ${LAB_HOSTS.mail} is being intercepted by mitmproxy, a TLS-inspection tool.`);
    expect(v.popup.events[0]!.signs).toEqual(expect.arrayContaining([untrusted!.title, known!.title]));
    expect(v.popup.events[0]!.covers).toMatch(/^Covers the \d+ signs above/);
    const event = v.incidents.find((i) => (i.kind as string) === 'event');
    expect(event).toMatchObject({ rule: 'event.interception', severity: 'critical', dedupeKey: `event|interception|${LAB_HOSTS.mail}|product:mitmproxy` });
    expect(event!.evidence.findings).toEqual(expect.arrayContaining([known!.dedupeKey, untrusted!.dedupeKey]));
  });
});

/**
 * Chromium shows no certificate to extensions, but it does report the certificate errors it
 * refuses a page for: the same misnamed host as above, in Chromium.
 */
describe('certificate errors in Chromium against the lab', () => {
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;

  beforeAll(async () => {
    lab = await startLab();
    session = await launch('chromium', { extensionDir: path.resolve('.output/chrome-mv3'), trustCaPems: [lab.caCertPem], hostMap: [...Object.values(LAB_HOSTS), MISNAMED_HOST] });
    probe = await ExtensionProbe.open(session);
    const settings = labSettings(lab, 'chromium');
    await probe.setSettings({ ...settings, userSites: [...(settings.userSites as string[]), MISNAMED_HOST] });
  });
  afterAll(async () => {
    await session?.close();
    await lab?.close();
  });

  it('reports a certificate the browser refused on a messaging host (cert.error), and nothing for a clean visit', async () => {
    const clean = await visit(session, probe, lab, 'clean', lab.url('chat', '/'));
    expect(clean.incidents.filter(atLeastMedium)).toEqual([]);
    const lastId = await lastIdOf(probe);
    const page = await session.browser.newPage();
    await page.goto(`https://${MISNAMED_HOST}:${lab.httpsPort}/`, { waitUntil: 'load', timeout: 15_000 }).catch(() => undefined);
    const error = await waitForIncident(probe, lastId, (i) => i.rule === 'cert.error');
    await page.close().catch(() => undefined);
    expect(error).toMatchObject({ severity: 'high', host: MISNAMED_HOST, evidence: { errorCode: 'ERR_CERT_COMMON_NAME_INVALID', family: 'certificate', resourceType: 'main_frame' } });
  });
});
