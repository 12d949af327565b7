/**
 * Firefox: every HTTP(S) request the extension itself makes (its background page, its own pages,
 * and what its content scripts fetch), seen by the browser's network layer rather than by the
 * extension: an `http-on-modify-request` observer in the privileged context keeps the URL of
 * each channel whose triggering principal is the extension's, or an expanded principal that
 * includes it (a content script's). Requests of the extension's own files are not HTTP and do not
 * show. It watches from `watchFirefoxExtensionRequests` until `stop`.
 */
import type { Session } from './browsers';
import { evaluateInFirefoxChrome } from './firefox-chrome';

export interface FirefoxRequestWatch {
  urls(): Promise<string[]>;
  stop(): Promise<void>;
}

const KEY = '__tapguardExtensionRequests';

export async function watchFirefoxExtensionRequests(session: Session, addonId: string): Promise<FirefoxRequestWatch> {
  const id = JSON.stringify(addonId);
  await evaluateInFirefoxChrome(
    session,
    `(() => {
      globalThis.${KEY}?.stop();
      const ours = (principal) => !!principal && (principal.addonId === ${id} || (principal.isExpandedPrincipal && principal.allowlist.some((p) => p.addonId === ${id})));
      const watch = { urls: [], observe(subject) {
        try {
          const channel = subject.QueryInterface(Ci.nsIChannel);
          if (ours(channel.loadInfo?.triggeringPrincipal)) watch.urls.push(channel.URI.spec);
        } catch (error) { watch.urls.push('unreadable channel: ' + error); }
      } };
      watch.stop = () => Services.obs.removeObserver(watch, 'http-on-modify-request');
      Services.obs.addObserver(watch, 'http-on-modify-request');
      globalThis.${KEY} = watch;
      return 'watching';
    })()`,
    'Watching the extension requests',
  );
  return {
    async urls() {
      const urls = JSON.parse(await evaluateInFirefoxChrome(session, `JSON.stringify(globalThis.${KEY}?.urls ?? null)`, 'Reading the extension requests')) as string[] | null;
      if (!urls) throw new Error('the request watch is gone (was the browser window replaced?)');
      return urls;
    },
    stop: async () => void (await evaluateInFirefoxChrome(session, `(globalThis.${KEY}?.stop(), delete globalThis.${KEY}, 'stopped')`, 'Stopping the watch')),
  };
}
