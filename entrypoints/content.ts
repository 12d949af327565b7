import { startObserving } from '@/lib/content/start';
import { recogniseMessagingPage } from '@/lib/sites/recognise';

/**
 * Every page on a host not known to be mail or chat (the background registers it with the known
 * hosts excluded: lib/content-scripts.ts). It observes only a page whose DOM shows a self-hosted
 * webmail or chat; on any other page it stops after the recognisers' selector pass.
 */
export default defineContentScript({
  // Where it runs is decided at run time (registration: 'runtime'); this only adds host access.
  matches: ['<all_urls>'],
  registration: 'runtime',
  allFrames: true,
  runAt: 'document_start',
  main(ctx) {
    startObserving(ctx.signal, (document) => recogniseMessagingPage(document)?.id);
  },
});
