import { browser as wxtBrowser } from 'wxt/browser';
import type { Browser } from 'webextension-polyfill';

/**
 * The `browser.*` API with webextension-polyfill's types. At run time it is the browser's own
 * object (tapguard runs without the polyfill itself, see wxt.config.ts) and a fake in unit tests;
 * but WXT types it as Chrome's API, which lacks Firefox-only calls such as webRequest.getSecurityInfo.
 */
export const browser = wxtBrowser as unknown as Browser;
export type { Browser };
