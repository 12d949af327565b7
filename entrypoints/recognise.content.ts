import { startObserving } from '@/lib/content/start';
import { recogniseMessagingPage } from '@/lib/core/sites/recognise';

/**
 * The DOM recogniser, injected (scripting.executeScript) only into a top-level page whose response
 * or requests hinted at a self-hosted webmail or chat (lib/background/recognition.ts), once the
 * page is parsed. It observes only if the recognisers confirm the app; otherwise it stops after
 * one selector pass. No page gets it from a registration: other pages run no tapguard code.
 */
export default defineContentScript({
  // Injected by the background (lib/background/recognition.ts); WXT only adds these matches to the
  // host permissions.
  matches: ['<all_urls>'],
  registration: 'runtime',
  main() {
    startObserving((document) => recogniseMessagingPage(document)?.id);
  },
});
