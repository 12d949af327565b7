/**
 * The incident log page in real Chromium and Firefox: incidents recorded through the lab show up,
 * the JSONL export the page offers verifies with `npm run verify` and in the page, one tampered
 * line is named, and screenshots of the page go to docs/screenshots/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, toIncident } from '../../lib/store/incidents';
import type { Finding, Incident } from '../../lib/core/types';
import { LAB_HOSTS, startLab, type Lab } from '../../lab/server';
import { launch, type Session } from './browsers';
import { EXTENSION_BUILDS, ExtensionProbe, labSettings, visit } from './scenario-runner';

const ROOT = path.resolve('.');
const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
/** Pictures for docs/ only on request (TAPGUARD_SCREENSHOTS=1), so a test run leaves the tree clean. */
const WRITE_SCREENSHOTS = process.env.TAPGUARD_SCREENSHOTS === '1';
const DAY = 24 * 60 * 60 * 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function verifyCli(file: string) {
  const run = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/verify.ts', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: run.stdout.trim(), err: run.stderr.trim() };
}

/**
 * A few weeks of earlier incidents, so the timeline and list look like a real log. They are built
 * and chained exactly as the recorder does (lib/store/incidents.ts) and marked "e2e seed" in `browser`;
 * the extension's own recordings then chain on after them.
 */
function history(now: number): { incidents: Incident[]; repeats: number[] } {
  const { mail, chat } = LAB_HOSTS;
  const kinds: Array<Omit<Finding, 'dedupeParts'>> = [
    { rule: 'tls.http-page', severity: 'critical', host: chat, url: `http://${chat}/`, evidence: { scheme: 'http:' } },
    { rule: 'script.new-origin', severity: 'high', host: mail, url: `https://${mail}/`, evidence: { scriptOrigin: 'https://cdn.evil-tracker.test' } },
    { rule: 'tls.mixed-content', severity: 'low', host: mail, url: `https://${mail}/`, evidence: { resourceUrl: `http://${mail}/logo.png`, resourceType: 'image' } },
    { rule: 'tls.hsts-dropped', severity: 'medium', host: mail, url: `https://${mail}/`, evidence: { previousMaxAge: 31536000, header: null } },
    { rule: 'script.csp-violation', severity: 'medium', host: chat, url: `https://${chat}/`, evidence: { blockedUri: 'https://cdn.evil-tracker.test/x.js', directive: 'script-src' } },
    { rule: 'tls.https-to-http-redirect', severity: 'high', host: mail, url: `https://${mail}/`, evidence: { from: `https://${mail}/`, to: `http://${mail}/` } },
  ];
  const days = [17, 17, 15, 12, 12, 12, 11, 9, 8, 8, 6, 5, 5, 5, 5, 3, 2, 2, 1];
  let prevHash = GENESIS_HASH;
  const incidents = days.map((daysAgo, i) => {
    const base = kinds[(i * 5) % kinds.length]!;
    const incident = toIncident({ ...base, dedupeParts: [`seed-${i}`] }, now - daysAgo * DAY + i * 37 * 60_000, 'Chrome/e2e seed', prevHash);
    prevHash = incident.hash;
    return incident;
  });
  return { incidents, repeats: days.map((_, i) => (i % 4 === 0 ? 3 : 1)) };
}

/** Writes the seed through plain IndexedDB on an extension page (after Dexie created the schema). */
async function seedHistory(page: Page, seed: ReturnType<typeof history>): Promise<void> {
  await page.evaluate(`(async () => {
    const seed = ${JSON.stringify(seed)};
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('tapguard');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction(['incidents', 'occurrences', 'tallies'], 'readwrite');
      // Written around the recorder, so the running total (lib/store/db.ts) is moved here too.
      const tally = tx.objectStore('tallies').get('incidents');
      tally.onsuccess = () => tx.objectStore('tallies').put({ name: 'incidents', count: (tally.result?.count ?? 0) + seed.incidents.length });
      seed.incidents.forEach((incident, i) => {
        const add = tx.objectStore('incidents').add(incident);
        add.onsuccess = () => tx.objectStore('occurrences').add({
          dedupeKey: incident.dedupeKey, incidentId: add.result, host: incident.host,
          count: seed.repeats[i], firstTs: incident.ts, lastTs: incident.ts + seed.repeats[i] * 3600000,
        });
      });
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  })()`);
}

/**
 * Text whose contrast with what is behind it is below WCAG AA (4.5:1; 3:1 for large text), by
 * computed colours. The background is the nearest ancestor's opaque background colour.
 */
const LOW_CONTRAST = `(() => {
  const rgb = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return undefined; const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r, g, b, a }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const behind = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a === 1) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const failures = [];
  let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('.visually-hidden, [hidden], details:not([open]) > :not(summary)')) continue;
    const fg = rgb(style.color);
    if (!fg) continue;
    checked++;
    const bg = behind(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 30));
  }
  return JSON.stringify({ checked, failures });
})()`;

async function openLog(session: Session): Promise<Page> {
  const page = await session.openExtensionPage('/incidents.html');
  await page.setViewport({ width: 1100, height: 1500 });
  await page.waitForSelector('main[data-ready="true"]', { timeout: 15_000 });
  return page;
}

async function exportText(page: Page, format: 'jsonl' | 'csv'): Promise<string> {
  await page.click(`button[data-action="export-${format}"]`);
  await page.waitForSelector(`a[data-export="${format}"]`, { timeout: 15_000 });
  // The Blob behind the download link, read back by the page itself.
  return (await page.evaluate(`fetch(document.querySelector('a[data-export="${format}"]').href).then((r) => r.text())`)) as string;
}

async function verifyInPage(page: Page, file: string): Promise<{ verdict: string; line: string | null; text: string }> {
  const input = await page.$('input[type="file"]');
  await page.evaluate(`document.querySelector('.status-region').replaceChildren()`);
  await input!.uploadFile(file);
  await page.waitForSelector('[data-verify]', { timeout: 15_000 });
  return (await page.evaluate(`(() => {
    const el = document.querySelector('[data-verify]');
    return { verdict: el.getAttribute('data-verify'), line: el.getAttribute('data-line'), text: el.textContent };
  })()`)) as { verdict: string; line: string | null; text: string };
}

describe.each(['chromium', 'firefox'] as const)('the incident log page in %s', (browserName) => {
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  let dir: string;
  let seeded: ReturnType<typeof history>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tapguard-log-e2e-'));
    lab = await startLab();
    session = await launch(browserName, {
      extensionDir: EXTENSION_BUILDS[browserName],
      trustCaPems: [lab.caCertPem, lab.interceptCaCertPem],
      hostMap: Object.values(LAB_HOSTS),
    });
    probe = await ExtensionProbe.open(session);
    await probe.setSettings(labSettings(lab, browserName));
    // Opening the log page once creates the database (the current schema) before the seed goes in.
    const first = await openLog(session);
    seeded = history(Date.now());
    await seedHistory(first, seeded);
    await first.close();
  });
  afterAll(async () => {
    await session?.close();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records the lab scenarios after the earlier history', async () => {
    await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    // A user-added site counts as HTTPS-only once tapguard has seen it over HTTPS.
    await visit(session, probe, lab, 'clean', lab.url('chat', '/'));
    const injected = await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'));
    expect(injected.incidents.map((i) => i.rule)).toContain('script.new-origin');
    const stripped = await visit(session, probe, lab, 'http-page', lab.url('chat', '/', 'http'));
    expect(stripped.incidents.map((i) => i.rule)).toContain('tls.http-page');
  });

  it('shows them in the log, newest first, with filters and the timeline', async () => {
    const page = await openLog(session);
    try {
      const rows = (await page.$$eval('li.record', (els) => els.map((e) => e.getAttribute('data-rule')))) as string[];
      expect(rows.length).toBeGreaterThan(seeded.incidents.length);
      expect(rows.filter((rule) => !rule.startsWith('event.')).slice(0, 3)).toContain('tls.http-page');
      expect(rows).toContain('script.new-origin');
      // Each story is an event record too; expanded, it lists the findings it groups.
      expect(rows).toEqual(expect.arrayContaining(['event.injection', 'event.downgrade']));
      await page.click('li.record[data-rule="event.injection"] button.expand');
      await page.waitForFunction(`[...document.querySelectorAll('li.record[data-rule="event.injection"] .event-signs li')].some((li) => li.textContent.includes('script.new-origin'))`, { timeout: 10_000 });
      const signs = (await page.$$eval('li.record[data-rule="event.injection"] .event-signs li', (els) => els.map((e) => e.textContent))) as string[];
      expect(signs).toEqual(expect.arrayContaining([expect.stringContaining('A script from a new source appeared'), expect.stringContaining('script.csp-dropped')]));
      expect(await page.$$eval('g.bar', (els) => els.length)).toBeGreaterThanOrEqual(8);
      await page.select('select[name="rule"]', 'tls.http-page');
      await page.waitForFunction(`[...document.querySelectorAll('li.record')].every((li) => li.dataset.rule === 'tls.http-page')`, { timeout: 10_000 });
    } finally {
      await page.close();
    }
  });

  it('exports JSONL that verifies, and names a tampered line (CLI and page)', async () => {
    const page = await openLog(session);
    try {
      const text = await exportText(page, 'jsonl');
      const lines = text.trimEnd().split('\n');
      const header = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(header).toMatchObject({ tapguardExport: 1, tapguardVersion: '0.1.0', startsAtGenesis: true, records: lines.length - 1 });
      expect(String(header.browser)).toMatch(browserName === 'chromium' ? /^Chrome\/\d+/ : /^Firefox\/\d+/);
      // Only Firefox lets an extension read certificate chains (Chrome needs deep inspection).
      expect(header.checks).toContainEqual({ check: 'Certificate chain and root', available: browserName === 'firefox' });
      expect(text).not.toContain('?_task');

      const original = path.join(dir, 'export.jsonl');
      writeFileSync(original, text);
      // Event records travel in the same chain as the findings they group.
      const events = lines.slice(1).filter((line) => (JSON.parse(line) as { kind: string }).kind === 'event').length;
      expect(events).toBeGreaterThanOrEqual(2);
      const ok = verifyCli(original);
      expect(ok.out.split('\n')[0]).toBe(`OK: ${lines.length - 1} incidents, chain intact (${events} events grouping the others)`);
      expect(ok.code).toBe(0);

      // Line 5 (the fourth record) claims a milder severity than was recorded.
      const record = JSON.parse(lines[4]!) as Incident;
      const tamperedLines = [...lines];
      tamperedLines[4] = JSON.stringify({ ...record, severity: record.severity === 'info' ? 'low' : 'info' });
      const tampered = path.join(dir, 'tampered.jsonl');
      writeFileSync(tampered, `${tamperedLines.join('\n')}\n`);
      const broken = verifyCli(tampered);
      expect(broken.out).toBe('BROKEN at line 5: the hash does not match the content of this record');
      expect(broken.code).toBe(1);

      const inPageBroken = await verifyInPage(page, tampered);
      expect(inPageBroken).toMatchObject({ verdict: 'broken', line: '5' });
      expect(inPageBroken.text).toContain('BROKEN at line 5');
      const inPageOk = await verifyInPage(page, original);
      expect(inPageOk.verdict).toBe('ok');

      const csv = await exportText(page, 'csv');
      const csvLines = csv.trimEnd().split('\r\n');
      expect(csvLines[0]).toBe('id,time,ts,kind,rule,severity,host,url,browser,title,advice,evidence,repeats,dedupeKey,prevHash,hash');
      expect(csvLines).toHaveLength(lines.length);
    } finally {
      await page.close();
    }
  });

  it('takes screenshots of the log and options pages', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Puppeteer emulates colour schemes through CDP only, so Firefox is pictured in its default
    // (light) theme; Chromium shows both.
    const themes = browserName === 'chromium' ? (['light', 'dark'] as const) : (['light'] as const);
    const shots: Array<[name: string, png: Uint8Array]> = [];
    const page = await openLog(session);
    try {
      // Show one event with its findings, one incident's evidence, and a verified file, as a user would see them.
      await page.click('li.record[data-rule="event.downgrade"] button.expand');
      await page.click('li.record[data-rule="script.new-origin"] button.expand');
      await page.waitForSelector('li.record[data-rule="script.new-origin"] .repeats[data-count]');
      const file = path.join(dir, 'export.jsonl');
      if (existsSync(file)) await verifyInPage(page, file);
      for (const theme of themes) {
        if (browserName === 'chromium') await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
        await page.waitForFunction(`matchMedia('(prefers-color-scheme: ${theme})').matches`, { timeout: 5_000 });
        await sleep(200);
        shots.push([`log-${browserName}${theme === 'dark' ? '-dark' : ''}.png`, await page.screenshot()]);
      }
      const options = await session.openExtensionPage('/options.html');
      await options.setViewport({ width: 1000, height: 1300 });
      await options.waitForSelector('main[data-ready="true"] [data-section="roots"]');
      shots.push([`options-${browserName}.png`, await options.screenshot()]);
      await options.close();
    } finally {
      await page.close();
    }
    // Judged on the pictures just taken (never on the committed files): real images with content.
    for (const [name, png] of shots) {
      const facts = pngFacts(png);
      expect(facts.width, name).toBeGreaterThan(300);
      expect(facts.distinctBytes, `${name} looks blank`).toBeGreaterThan(16);
      if (WRITE_SCREENSHOTS) writeFileSync(path.join(SCREENSHOTS, name), png);
    }
  });

  it('has text with enough contrast (WCAG AA) on the popup and the log page, in each theme', async () => {
    const tab = await session.browser.newPage();
    try {
      await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'), tab);
      const pages = [await session.openExtensionPage(`/popup.html?tab=${await probe.tabIdOf(tab.url())}`), await openLog(session)];
      try {
        for (const page of pages) {
          await page.waitForSelector('main[data-ready="true"]');
          for (const theme of browserName === 'chromium' ? (['light', 'dark'] as const) : (['light'] as const)) {
            if (browserName === 'chromium') await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
            const result = JSON.parse((await page.evaluate(LOW_CONTRAST)) as string) as { checked: number; failures: string[] };
            expect(result.checked, `${page.url()} ${theme}`).toBeGreaterThan(10);
            expect(result.failures, `${page.url()} ${theme}`).toEqual([]);
          }
        }
      } finally {
        for (const page of pages) await page.close();
      }
    } finally {
      await tab.close();
    }
  });

  it('keeps the popup usable at 200% zoom, by keyboard alone', async () => {
    const tab = await session.browser.newPage();
    try {
      await visit(session, probe, lab, 'injected-script', lab.url('mail', '/'), tab);
      const popup = await session.openExtensionPage(`/popup.html?tab=${await probe.tabIdOf(tab.url())}`);
      try {
        // 200% zoom in a popup window of at most 800 × 600 screen pixels: half as many CSS pixels,
        // each drawn twice as large.
        await popup.setViewport({ width: 400, height: 300, deviceScaleFactor: 2 });
        await popup.waitForSelector('main[data-ready="true"] .incident');
        // Walk the page with Tab, marking each control reached, and open every evidence section
        // with Enter, as a keyboard user would.
        for (let i = 0; i < 80; i++) {
          await popup.keyboard.press('Tab');
          const focused = (await popup.evaluate(`(() => {
            const el = document.activeElement;
            if (!el || el === document.body) return '';
            el.dataset.tabbed = '1';
            return el.tagName === 'SUMMARY' && !el.parentElement.open ? 'closed-summary' : 'other';
          })()`)) as string;
          if (focused === 'closed-summary') await popup.keyboard.press('Enter');
        }
        const layout = JSON.parse(
          (await popup.evaluate(`JSON.stringify({
            overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            summaries: document.querySelectorAll('summary').length,
            opened: document.querySelectorAll('details[open]').length,
            controls: document.querySelectorAll('button, a[href], summary').length,
            unreached: [...document.querySelectorAll('button, a[href], summary')].filter((el) => !el.dataset.tabbed).map((el) => el.textContent.trim()),
            cut: [...document.querySelectorAll('.incident-title, .incident-advice, .event-headline, .event-advice, .covers, .verdict-text, dd, button')]
              // Inline boxes have no clientWidth; for them only the right edge tells.
              .filter((el) => (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) || el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
              .map((el) => el.className || el.tagName),
          })`)) as string,
        ) as { overflowX: number; summaries: number; opened: number; controls: number; unreached: string[]; cut: string[] };
        if (WRITE_SCREENSHOTS) await popup.screenshot({ path: path.join(SCREENSHOTS, `popup-${browserName}-zoom200.png`), fullPage: true });
        expect(layout.overflowX).toBeLessThanOrEqual(0);
        expect(layout.cut).toEqual([]);
        // Every control was reached by Tab, and every evidence section opened from the keyboard.
        expect(layout.controls).toBeGreaterThan(3);
        expect(layout.unreached).toEqual([]);
        expect(layout.summaries).toBeGreaterThan(0);
        expect(layout.opened).toBe(layout.summaries);
      } finally {
        await popup.close();
      }
    } finally {
      await tab.close();
    }
  });
});

/** Width and a content measure of a PNG: how many distinct byte values its decoded scanlines hold (a blank page has two or three). */
function pngFacts(png: Uint8Array): { width: number; distinctBytes: number } {
  const buffer = Buffer.from(png);
  expect(buffer.subarray(1, 4).toString()).toBe('PNG');
  const idat: Buffer[] = [];
  for (let at = 8; at < buffer.length; ) {
    const length = buffer.readUInt32BE(at);
    if (buffer.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(buffer.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return { width: buffer.readUInt32BE(16), distinctBytes: new Set(raw).size };
}
