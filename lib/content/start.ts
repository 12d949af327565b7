import { createDelivery } from './deliver';
import { observePage } from './page-observer';

/** The one call a content script makes, in the shape both browsers' own promise-based APIs have. */
interface PageExtensionApi {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
}

/**
 * Starts the page observer in this frame. Uses the browser's own API (`browser`, which Firefox and
 * current Chrome both have, else Chrome's `chrome`), not webextension-polyfill's wrappers: this
 * runs on every page load, and those wrappers cost it time on each. `recognise` only for hosts
 * not known to be mail or chat.
 */
export function startObserving(recognise?: (document: Document) => string | undefined): void {
  const api = ((globalThis as { browser?: PageExtensionApi }).browser ?? (globalThis as { chrome?: PageExtensionApi }).chrome)!;
  void observePage({
    document,
    // The document's URL is location.href; a Location object made in a fresh world costs start-up.
    location: { get href() { return document.URL; } },
    ...(recognise ? { recognise } : {}),
    send: createDelivery((message) => api.runtime.sendMessage(message)),
  });
}
