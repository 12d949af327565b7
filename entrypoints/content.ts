import { createDelivery } from '@/lib/content/deliver';
import { observePage } from '@/lib/content/page-observer';
import { readPublishedSiteLists, PUBLISHED_SITE_LISTS_KEY } from '@/lib/sites/published';

/** The two calls this script makes, in the shape both browsers' own promise-based APIs have. */
interface PageExtensionApi {
  storage: { local: { get(key: string): Promise<Record<string, unknown>> } };
  runtime: { sendMessage(message: unknown): Promise<unknown> };
}

// The browser's own API (Firefox `browser`, Chrome MV3 `chrome`), not webextension-polyfill's
// wrappers: this script starts on every page load, and those wrappers cost it time on each.
const api = ((globalThis as { browser?: PageExtensionApi }).browser ?? (globalThis as { chrome?: PageExtensionApi }).chrome)!;

export default defineContentScript({
  matches: ['<all_urls>'],
  // Every frame: webmail shows messages in frames of its own (Roundcube's reading pane), and a
  // proxy can rewrite those documents as easily as the top one. A frame that is not mail or chat
  // stops after one storage read and the recognisers' selector pass.
  allFrames: true,
  runAt: 'document_start',
  main(ctx) {
    void observePage({
      document,
      location,
      // The background publishes the lists, merged with policy, under one key (lib/sites/published.ts).
      loadSiteLists: () => api.storage.local.get(PUBLISHED_SITE_LISTS_KEY).then(readPublishedSiteLists),
      send: createDelivery((message) => api.runtime.sendMessage(message)),
      signal: ctx.signal,
    });
  },
});
