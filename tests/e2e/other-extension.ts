import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const OTHER_EXTENSION_NAME = 'Helpful mail toolbar (test)';

/**
 * Another extension, as a user might have installed: its content script adds a script of its own
 * (`chrome-extension://…/helper.js`, `moz-extension://…/helper.js`) to the lab's mail pages. It has
 * an options page, as most do; Firefox names an extension's UUID only in such URLs.
 */
export async function writeInjectingExtension(browserName: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapguard-other-extension-'));
  const firefox = browserName === 'firefox';
  const manifest = {
    manifest_version: firefox ? 2 : 3,
    name: OTHER_EXTENSION_NAME,
    version: '1.0',
    content_scripts: [{ matches: ['https://mail.tapguard.test/*'], js: ['content.js'], run_at: 'document_start' }],
    web_accessible_resources: firefox ? ['helper.js'] : [{ resources: ['helper.js'], matches: ['<all_urls>'] }],
    options_ui: { page: 'options.html' },
    ...(firefox ? { browser_specific_settings: { gecko: { id: 'helper@tapguard.test' } } } : {}),
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(
    path.join(dir, 'content.js'),
    `const s = document.createElement('script'); s.src = (globalThis.browser ?? chrome).runtime.getURL('helper.js'); (document.head ?? document.documentElement).appendChild(s);`,
  );
  await writeFile(path.join(dir, 'helper.js'), 'window.__helperToolbar = true;');
  await writeFile(path.join(dir, 'options.html'), '<!DOCTYPE html><title>Options</title><p>Toolbar options</p>');
  return dir;
}
