import { browser as wxtBrowser } from 'wxt/browser';
import type { Browser } from 'webextension-polyfill';

/**
 * The `browser.*` API with webextension-polyfill's types. At run time it is the browser's own
 * object in the background and content scripts, WXT's polyfill module in tapguard's pages (see the
 * hooks in wxt.config.ts), and a fake in unit tests; but WXT types it as Chrome's API, which lacks
 * Firefox-only calls such as webRequest.getSecurityInfo.
 */
export const browser = wxtBrowser as unknown as Browser;
export type { Browser };
