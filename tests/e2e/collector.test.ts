import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { LAB_HOSTS, startLab, type Lab } from '../../lab/server';
import type { CollectorState, OutboxRow } from '../../lib/background/collector/queue';
import type { Incident } from '../../lib/core/types';
import { NOT_INCIDENT_KINDS } from '../../lib/store/db';
import { CLICKHOUSE_PASSWORD, CLICKHOUSE_USER, CREATE_TABLE, startClickHouse, type ClickHouse } from './clickhouse';
import { stopServiceWorker, watchExtension, type ExtensionWatch } from './extension-watch';
import { watchFirefoxExtensionRequests, type FirefoxRequestWatch } from './firefox-requests';
import { readStore } from './idb';
import { writeChromiumPolicy, writeFirefoxPolicy, type PolicyFile } from './policy';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

/** The findings of a log: events (lib/core/events.ts) and log markers group or annotate them and go to no SIEM. */
const findingsOf = (records: Incident[]) => records.filter((i) => !NOT_INCIDENT_KINDS.includes(i.kind));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const API = '(globalThis.browser ?? globalThis.chrome)';
const GECKO_ID = 'tapguard@tapguard.test';

interface Row {
  hash: string;
  prev_hash: string;
  rule: string;
  severity: string;
  device: string;
  id: number;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

const managedCollector = (probe: ExtensionProbe) =>
  probe.page.evaluate(`${API}.storage.managed.get('collector').then((v) => JSON.stringify(v.collector ?? null), () => 'null')`) as Promise<string>;
const collectorState = (probe: ExtensionProbe) => readStore<CollectorState>(probe.page, 'tapguard', 'collectorState').catch(() => []);
const outbox = (probe: ExtensionProbe) => readStore<OutboxRow>(probe.page, 'tapguard', 'outbox').catch(() => []);

/** Requests that leave the extension (not its own files, not Blob URLs it made). */
const outgoing = (watch: ExtensionWatch, context: LabSession) =>
  watch.requests.map((r) => r.url).filter((url) => !url.startsWith(`${context.session.extensionOrigin}/`) && !url.startsWith('blob:') && !url.startsWith('data:'));

/** The extension's own requests, as the browser saw them: Chromium's DevTools, Firefox's network layer. */
interface OwnRequests {
  chromium?: ExtensionWatch;
  firefox?: FirefoxRequestWatch;
}
async function watchOwnRequests(context: LabSession): Promise<OwnRequests> {
  if (context.session.name === 'chromium') return { chromium: await watchExtension(context.session) };
  return { firefox: await watchFirefoxExtensionRequests(context.session, GECKO_ID) };
}
const ownRequests = async (own: OwnRequests, context: LabSession): Promise<string[]> =>
  own.chromium ? outgoing(own.chromium, context) : ((await own.firefox?.urls()) ?? []);
const stopWatching = (own: OwnRequests | undefined) => Promise.all([own?.chromium?.stop(), own?.firefox?.stop().catch(() => undefined)]);

/** Clicks an export button of the log page and reads the file back as JSON lines. */
async function exportedLines(page: Page, format: 'ocsf' | 'ecs'): Promise<unknown[]> {
  await page.click(`button[data-action="export-${format}"]`);
  await page.waitForSelector(`a[data-export="${format}"]`, { timeout: 15_000 });
  const text = (await page.evaluate(`fetch(document.querySelector('a[data-export="${format}"]').href).then((r) => r.text())`)) as string;
  return text.trim().split('\n').map((line) => JSON.parse(line) as unknown);
}

describe.each(['chromium', 'firefox'] as const)('organisation collector in %s', (browserName) => {
  let clickhouse: ClickHouse;
  let lab: Lab;
  const device = `e2e-${browserName}`;
  const policy = () => ({
    collector: { url: clickhouse.url, format: 'clickhouse', token: `${CLICKHOUSE_USER}:${CLICKHOUSE_PASSWORD}`, minSeverity: 'medium', device },
  });
  const rowsInClickHouse = () => clickhouse.rows<Row>(`SELECT hash, prev_hash, rule, severity, device, id FROM tapguard_incidents WHERE device = '${device}' ORDER BY id`);

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    await clickhouse.query(CREATE_TABLE);
    lab = await startLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
    await clickhouse?.close();
  });

  it('sends the incidents of attack scenarios to ClickHouse, chain hashes included, and loses none while ClickHouse is down', async () => {
    let policyFile: PolicyFile | undefined;
    let context: LabSession | undefined;
    let own: OwnRequests | undefined;
    try {
      if (browserName === 'firefox') policyFile = await writeFirefoxPolicy(GECKO_ID, policy());
      context = await startLabSession(browserName, { lab, trustInterceptCa: false });
      if (browserName === 'chromium') policyFile = await writeChromiumPolicy(context.session.extensionId!, policy());
      const { session, probe } = context;
      expect(JSON.parse(await until('the managed policy', async () => ((await managedCollector(probe)) !== 'null' ? managedCollector(probe) : undefined), 60_000))).toMatchObject({ format: 'clickhouse' });
      // Firefox has read its policy at start: the file goes at once, before other runs launch Firefox.
      if (browserName === 'firefox') await policyFile?.remove();
      await until('the collector to start', async () => (await collectorState(probe)).length > 0);
      own = await watchOwnRequests(context);

      for (const url of [lab.url('mail', '/'), lab.url('chat', '/')]) await visit(session, probe, lab, 'clean', url);
      const redirect = await visit(session, probe, lab, 'https-to-http-redirect', lab.url('chat', '/'));
      expect(redirect.incidents.map((i) => i.rule)).toContain('tls.https-to-http-redirect');
      const first = findingsOf(await probe.incidents()).filter(atLeastMedium);
      const firstRows = await until('the incidents in ClickHouse', async () => {
        const rows = await rowsInClickHouse();
        return rows.length >= first.length ? rows : undefined;
      });
      expect(new Set(firstRows.map((r) => r.hash))).toEqual(new Set(first.map((i) => i.hash)));
      for (const incident of first) expect(firstRows.find((r) => r.hash === incident.hash)).toMatchObject({ prev_hash: incident.prevHash, rule: incident.rule, severity: incident.severity, device });
      // The observation below sees the collector's requests (so its silence without a policy means something).
      expect((await ownRequests(own, context)).filter((u) => u.startsWith(clickhouse.url)).length).toBeGreaterThan(0);

      // The collector goes down during the next attack, and comes back.
      await clickhouse.stop();
      const injected = await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'));
      expect(injected.incidents.filter(atLeastMedium).length).toBeGreaterThan(0);
      await until('a failed delivery', async () => (await collectorState(probe))[0]?.lastError);
      expect((await outbox(probe)).length).toBeGreaterThan(0);
      // Chromium: the worker is stopped meanwhile, as Chrome stops an idle one; its alarm brings it back.
      if (own.chromium) {
        const watch = own.chromium;
        const starts = watch.workerStarts;
        await stopServiceWorker(probe.page);
        await clickhouse.start();
        await until('the worker to be woken again', async () => watch.workerStarts > starts);
      }
      await clickhouse.start();
      const all = findingsOf(await probe.incidents()).filter(atLeastMedium);
      const allRows = await until('every incident in ClickHouse after the restart', async () => {
        const rows = await rowsInClickHouse();
        return new Set(rows.map((r) => r.hash)).size >= all.length ? rows : undefined;
      }, 180_000);
      expect(new Set(allRows.map((r) => r.hash))).toEqual(new Set(all.map((i: Incident) => i.hash)));
      await until('an empty queue', async () => (await outbox(probe)).length === 0);
      expect((await collectorState(probe))[0]).toMatchObject({ failures: 0, dropped: 0 });

      // The settings page shows the collector locked, with its queue and last delivery.
      const options = await session.openExtensionPage('/options.html');
      try {
        await options.waitForSelector('[data-collector="on"] [data-field="last-delivery"]', { timeout: 15_000 });
        const shown = JSON.parse(
          (await options.evaluate(`JSON.stringify({
            locked: !!document.querySelector('[data-collector="on"] [data-locked="true"]'),
            url: document.querySelector('[data-field="url"]').textContent,
            queued: document.querySelector('[data-field="queued"]').getAttribute('data-count'),
            delivery: document.querySelector('[data-field="last-delivery"]').textContent,
            text: document.body.textContent,
          })`)) as string,
        ) as { locked: boolean; url: string; queued: string; delivery: string; text: string };
        expect(shown).toMatchObject({ locked: true, url: clickhouse.url, queued: '0' });
        expect(shown.delivery).toMatch(/^\d+ incidents at /);
        expect(shown.text).not.toContain(CLICKHOUSE_PASSWORD);
      } finally {
        await options.close().catch(() => undefined);
      }
    } finally {
      await stopWatching(own);
      await policyFile?.remove();
      await context?.close();
    }
  }, 420_000);

  it('makes no request of its own without a policy (and its log page exports OCSF and ECS instead)', async () => {
    // Up at the address the earlier policy named (even if that test failed while it was down).
    await clickhouse.start();
    const before = (await rowsInClickHouse()).length;
    const context = await startLabSession(browserName, { lab, trustInterceptCa: false });
    let own: OwnRequests | undefined;
    try {
      const { session, probe } = context;
      expect(await managedCollector(probe)).toBe('null');
      own = await watchOwnRequests(context);
      for (const url of [lab.url('mail', '/'), lab.url('chat', '/')]) await visit(session, probe, lab, 'clean', url);
      const redirect = await visit(session, probe, lab, 'https-to-http-redirect', lab.url('chat', '/'));
      expect(redirect.incidents.filter(atLeastMedium).length).toBeGreaterThan(0);
      await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'));
      await sleep(3000);
      // The browser saw no request from the extension at all (Chromium: its worker and pages;
      // Firefox: anything the extension's principal asked for).
      expect(await ownRequests(own, context)).toEqual([]);
      // Both: the collector never started (no queue, no state), and ClickHouse, still up at the
      // address of the earlier policy, received nothing.
      expect(await collectorState(probe)).toEqual([]);
      expect(await outbox(probe)).toEqual([]);
      expect((await rowsInClickHouse()).length).toBe(before);

      // What an organisation without a collector does instead: the log page's SIEM exports, one
      // line per incident, each with the hash and prevHash of the evidence file's record.
      const evidence = findingsOf(await probe.incidents());
      const log = await session.openExtensionPage('/incidents.html');
      try {
        await log.waitForSelector('main[data-ready="true"]', { timeout: 15_000 });
        const ocsf = (await exportedLines(log, 'ocsf')) as Array<{ class_uid: number; finding_info: { uid: string }; unmapped: { tapguard: { prevHash: string } } }>;
        expect(ocsf.map((f) => f.class_uid)).toEqual(evidence.map(() => 2004));
        expect(ocsf.map((f) => [f.finding_info.uid, f.unmapped.tapguard.prevHash])).toEqual(evidence.map((i) => [i.hash, i.prevHash]));
        const ecs = (await exportedLines(log, 'ecs')) as Array<{ event: { kind: string; hash: string }; tapguard: { prev_hash: string } }>;
        expect(ecs.map((d) => [d.event.kind, d.event.hash, d.tapguard.prev_hash])).toEqual(evidence.map((i) => ['alert', i.hash, i.prevHash]));
        expect(evidence.map((i) => i.host)).toContain(LAB_HOSTS.chat);
      } finally {
        await log.close().catch(() => undefined);
      }
    } finally {
      await stopWatching(own);
      await context.close();
    }
  }, 300_000);
});
