import { browser as wxtBrowser } from 'wxt/browser';
import type { Browser } from 'webextension-polyfill';

/**
 * The `browser.*` API with webextension-polyfill's types. At run time WXT's polyfill module
 * provides it (and its test plugin swaps in a fake), but WXT types it as Chrome's API, which
 * lacks Firefox-only calls such as webRequest.getSecurityInfo.
 */
export const browser = wxtBrowser as unknown as Browser;
export type { Browser };
