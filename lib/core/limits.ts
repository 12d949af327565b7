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

/**
 * How many of `pending` items the next message takes, so that a backlog split over several
 * messages is split evenly. Taking `limit` each time would leave a small tail (1,802 scripts gave
 * nine messages of 200 and one of 2), and a tail small enough is judged item by item instead of
 * as the flood it belongs to (lib/core/detect/scripts.ts, aggregateFlood).
 */
export function evenShare(pending: number, limit: number): number {
  if (pending <= limit) return pending;
  return Math.ceil(pending / Math.ceil(pending / limit));
}
