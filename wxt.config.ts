import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import path from 'node:path';
import type { Alias, Plugin } from 'vite';

// Fixed so that e2e tests can pre-assign the moz-extension UUID and reach the extension's pages.
export const GECKO_ID = 'tapguard@tapguard.test';

/**
 * Test-only build (`TAPGUARD_E2E_DEEP=1`, into .output/e2e-deep): Chrome's optional `debugger` and
 * `management` permissions are granted at install instead of asked for, because a headless test
 * cannot answer Chrome's permission prompt. Everything else is the shipped extension.
 */
const grantDebuggerForTests = process.env.TAPGUARD_E2E_DEEP === '1';

/**
 * V8's explicit compile hint (Chrome 136+; a plain comment elsewhere) on the content scripts: their
 * functions are compiled with the script, so they go into the code cache Chrome keeps for it, and
 * a page load no longer compiles each one when it is first called. Without it every mail page
 * compiled the observer's functions again (docs/benchmarks.md, run 10). After minification, which
 * would drop the comment, and first in the file, where V8 looks for it.
 */
const compileOnLoad: Plugin = {
  name: 'tapguard:compile-content-scripts-on-load',
  enforce: 'post',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk') chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
  },
};

export default defineConfig({
  ...(grantDebuggerForTests ? { outDir: '.output/e2e-deep' } : {}),
  // webextension-polyfill for the background and tapguard's pages (Chrome before 144 has no
  // `browser` object and does not answer a runtime.onMessage listener's promise); the content
  // scripts go without it (hooks below).
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser, manifestVersion }) => ({
    name: 'tapguard',
    description:
      'Warns when your webmail or web chat shows signs of interception: TLS downgrade, rogue certificates, injected scripts.',
    permissions: [
      'storage',
      // The incident log is evidence: without this, a browser under storage pressure may evict it,
      // and the origin's quota (a share of free disk) could force the emergency trim early.
      'unlimitedStorage',
      // The organisation collector's retries and wake-ups after the worker stopped (lib/background/collector);
      // unused unless a managed policy sets a collector.
      'alarms',
      // Content scripts are registered at run time, for mail and chat hosts apart from the rest.
      'scripting',
      'webRequest',
      ...(browser === 'firefox' ? ['webRequestBlocking'] : []),
      // When a tab's top-level document commits: its messaging session and its verdict start there.
      'webNavigation',
      // MV2 (Firefox) lists host access among the permissions; MV3 has host_permissions.
      ...(manifestVersion === 2 ? ['<all_urls>'] : []),
      ...(browser !== 'firefox' && grantDebuggerForTests ? ['debugger', 'management'] : []),
    ],
    // Opt-in features ask for their permission from the options page: Chrome deep inspection
    // (`debugger`), notifications for critical incidents, and names of extensions that add code
    // to mail pages (`management`).
    optional_permissions: [
      ...(browser !== 'firefox' && !grantDebuggerForTests ? ['debugger'] : []),
      'notifications',
      ...(!grantDebuggerForTests ? ['management'] : []),
    ],
    ...(manifestVersion === 3
      ? { host_permissions: ['<all_urls>'] }
      : {}),
    // Chrome validates administrator policy (storage.managed) against this schema; Firefox takes
    // the same keys from an enterprise policy and has no schema key (see README, "Administrators").
    ...(browser !== 'firefox' ? { storage: { managed_schema: 'managed_schema.json' } } : {}),
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              strict_min_version: '142.0',
              // tapguard sends nothing to its developers or anyone else: the incident log leaves the
              // browser only when exported, or when an organisation's own policy sets a collector
              // (its administrator's server, see README "Organisation collector").
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
  hooks: {
    // Two swaps, in the content scripts' build only. (1) WXT's plain `browser` (the browser's own
    // object) for webextension-polyfill: the polyfill's module set-up reads every property of the
    // API object, which makes Chrome build all its lazy API bindings on every page load, and the
    // scripts need only runtime.sendMessage, promise-based in both browsers (lib/content/start.ts).
    // (2) lib/content/quiet-context.ts for WXT's content-script context, which announces itself to
    // the page and lets the page abort it (see that file).
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.every((entrypoint) => entrypoint.type === 'content-script')) return;
      const swaps: Record<string, string> = {
        'wxt/browser': '@wxt-dev/browser',
        'wxt/utils/content-script-context': path.resolve(import.meta.dirname, 'lib/content/quiet-context.ts'),
      };
      const alias = config.resolve?.alias;
      const entries: Alias[] = Array.isArray(alias)
        ? (alias as Alias[]).filter((entry) => !(typeof entry.find === 'string' && entry.find in swaps))
        : Object.entries((alias as Record<string, string> | undefined) ?? {})
            .filter(([find]) => !(find in swaps))
            .map(([find, replacement]) => ({ find, replacement }));
      config.resolve = { ...config.resolve, alias: [...Object.entries(swaps).map(([find, replacement]) => ({ find, replacement })), ...entries] };
      config.plugins = [...(config.plugins ?? []), compileOnLoad];
    },
  },
});
