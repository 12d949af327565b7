import { startObserving } from '@/lib/content/start';
import { recogniseMessagingPage } from '@/lib/core/sites/recognise';

/**
 * Every page on a host not known to be mail or chat (the background registers it with the known
 * hosts excluded: lib/background/content-scripts.ts). It observes only a page whose DOM shows a self-hosted
 * webmail or chat; on any other page it stops after the recognisers' selector pass.
 */
export default defineContentScript({
  // Registered by the background, which sets where and when it runs (lib/background/content-scripts.ts);
  // WXT only adds these matches to the host permissions.
  matches: ['<all_urls>'],
  registration: 'runtime',
  main() {
    startObserving((document) => recogniseMessagingPage(document)?.id);
  },
});
