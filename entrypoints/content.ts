import { browser } from '@/lib/browser';
import { observePage } from '@/lib/content/page-observer';
import { loadSiteLists } from '@/lib/settings';

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_start',
  main(ctx) {
    void observePage({
      document,
      location,
      loadSiteLists,
      send: (message) => void browser.runtime.sendMessage(message).catch(() => undefined),
      signal: ctx.signal,
    });
  },
});
