/**
 * Names of the user's own extensions in `script.by-extension` evidence, after the user grants the
 * optional `management` permission from the settings page. Firefox: the real click, with Firefox's
 * optional-permission prompt switched off by pref (a headless test cannot answer it). Chromium:
 * its prompt cannot be answered or switched off headless, so the test build grants the permission
 * at install (wxt.config.ts) and the test checks the settings page shows it as granted.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/server';
import type { Session } from './browsers';
import { OTHER_EXTENSION_NAME, writeInjectingExtension } from './other-extension';
import { atLeastMedium, startLabSession, visit, type ExtensionProbe, type LabSession } from './scenario-runner';

const GRANTED_BUILD = path.resolve('.output/e2e-deep/chrome-mv3');

describe.each(['chromium', 'firefox'] as const)('names of extensions that add code, in %s', (browserName) => {
  let context: LabSession;
  let lab: Lab;
  let session: Session;
  let probe: ExtensionProbe;
  let other: string;

  beforeAll(async () => {
    context = await startLabSession(browserName, {
      trustInterceptCa: false,
      ...(browserName === 'chromium' ? { extensionDir: GRANTED_BUILD } : { extraPrefsFirefox: { 'extensions.webextOptionalPermissionPrompts': false } }),
    });
    ({ lab, session, probe } = context);
    other = await writeInjectingExtension(browserName);
  });
  afterAll(async () => {
    await context?.close();
    if (other) await rm(other, { recursive: true, force: true });
  });

  it('is off until the user switches it on in the settings', async () => {
    const options = await session.openExtensionPage('/options.html');
    try {
      await options.waitForSelector('main[data-ready="true"] input[name="extensionNames"]');
      if (browserName === 'firefox') {
        expect(await options.$eval('input[name="extensionNames"]', (e) => (e as HTMLInputElement).checked)).toBe(false);
        await options.click('input[name="extensionNames"]');
      }
      await options.waitForFunction(`document.querySelector('input[name="extensionNames"]').checked === true`, { timeout: 10_000 });
    } finally {
      await options.close();
    }
  });

  it("names the extension in the incident's evidence, still as info that never badges", async () => {
    await session.browser.installExtension(other);
    const v = await visit(session, probe, lab, 'clean', lab.url('mail', '/'));
    const byExtension = v.incidents.find((i) => i.rule === 'script.by-extension');
    expect(byExtension).toMatchObject({ severity: 'info', evidence: { extensionName: OTHER_EXTENSION_NAME } });
    expect(v.incidents.filter(atLeastMedium)).toEqual([]);
    expect(v.popup.badge).toBe('');
  });
});
