import { createDelivery } from './deliver';
import { observePage } from './page-observer';

/** The one call a content script makes, in the shape both browsers' own promise-based APIs have. */
interface PageExtensionApi {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
}

/**
 * Starts the page observer in this frame. Uses the browser's own API (`browser`, which Firefox and
 * current Chrome both have, else Chrome's `chrome`), not webextension-polyfill's wrappers: this
 * runs on every mail page load, and those wrappers cost it time on each. `recognise` only for
 * hinted pages of hosts not known to be mail or chat (entrypoints/recognise.content.ts).
 */
export function startObserving(recognise?: (document: Document) => string | undefined): void {
  // One observer per document: the recogniser can be injected again into a page (a restarted
  // worker forgets that it did). This world is the extension's own (isolated world, Xray
  // sandbox), so the page can neither read nor set the mark.
  const world = globalThis as { tapguardObserving?: boolean };
  if (world.tapguardObserving) return;
  world.tapguardObserving = true;
  const api = ((globalThis as { browser?: PageExtensionApi }).browser ?? (globalThis as { chrome?: PageExtensionApi }).chrome)!;
  void observePage({
    document,
    // The document's URL is location.href; a Location object made in a fresh world costs start-up.
    location: { get href() { return document.URL; } },
    ...(recognise ? { recognise } : {}),
    send: createDelivery((message) => api.runtime.sendMessage(message)),
  });
}
