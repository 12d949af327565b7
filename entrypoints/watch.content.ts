import { startObserving } from '@/lib/content/start';

/**
 * Pages on hosts known to be mail or chat: built-in services, the user's sites and hosts
 * recognised before (the background registers it for those: lib/content-scripts.ts).
 */
export default defineContentScript({
  // Where it runs is decided at run time (registration: 'runtime'); this only adds host access.
  matches: ['<all_urls>'],
  registration: 'runtime',
  allFrames: true,
  runAt: 'document_start',
  main(ctx) {
    startObserving(ctx.signal);
  },
});
