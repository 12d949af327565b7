/**
 * Bounds on what one content-script message may carry, checked on both sides. Its own module, so
 * that the content scripts import these numbers without the background's validators.
 */
export const LIMITS = {
  url: 2048,
  /** Scripts one page's content script inventories (lib/content/page-observer.ts). */
  scriptsPerPage: 2000,
  scriptsPerMessage: 200,
  formsPerMessage: 50,
  framesPerMessage: 50,
  violationsPerMessage: 50,
  preview: 200,
  directive: 200,
} as const;
