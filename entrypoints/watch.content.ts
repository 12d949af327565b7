import { startObserving } from '@/lib/content/start';

/**
 * Pages on hosts known to be mail or chat: built-in services, the user's sites and hosts
 * recognised before (the background registers it for those: lib/background/content-scripts.ts).
 */
export default defineContentScript({
  // Registered by the background, which sets where and when it runs (lib/background/content-scripts.ts);
  // WXT only adds these matches to the host permissions.
  matches: ['<all_urls>'],
  registration: 'runtime',
  main() {
    startObserving();
  },
});
