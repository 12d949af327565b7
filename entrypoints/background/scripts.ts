import type { WebRequest } from 'webextension-polyfill';
import type { LearnedScripts } from '@/lib/background/firefox/learned-scripts';
import { hashStream, type StreamFilterLike } from '@/lib/background/firefox/script-bytes';
import { messagingPageOfRequest, networkScriptRef, type RequestOrigin } from '@/lib/background/network-inventory';
import { browser } from '@/lib/browser';
import { looksImmutable } from '@/lib/core/detect/scripts';
import { hostOf } from '@/lib/core/url';
import type { Background } from './context';

/**
 * The network's inventory of messaging pages' code (lib/background/network-inventory.ts): what the DOM
 * walk cannot see (self-removed elements, import(), workers) is judged like the DOM's.
 */
export const networkScript = (bg: Background) => (details: WebRequest.OnBeforeRequestDetailsType) => {
  const pageUrl = messagingPageOfRequest(details as RequestOrigin, bg.isMessagingUrl);
  const script = pageUrl && networkScriptRef(details.url, pageUrl);
  if (!pageUrl || !script || !bg.seenScriptOrigins.first(details.tabId, pageUrl, details.url)) return;
  bg.observeAndShow('network script observation', details.tabId, bg.monitor.observeNetworkScript(pageUrl, script));
};

/**
 * Script bytes: only Firefox lets extensions read response bodies (webRequest.filterResponseData).
 * Called by the one blocking listener (certificates.ts, listenForFirefoxBlocking): what it returns
 * is that listener's answer for a script request.
 */
export function checkScriptBytes(bg: Background, learned: LearnedScripts, details: WebRequest.OnHeadersReceivedDetailsType) {
  const pageUrl = details.documentUrl;
  // Every 2xx answer carries the script's bytes (a proxy can answer 203 as well as 200).
  if (!pageUrl || details.statusCode < 200 || details.statusCode >= 300 || !bg.isMessagingUrl(pageUrl)) return undefined;
  const cacheControl = details.responseHeaders?.find((h) => h.name.toLowerCase() === 'cache-control')?.value ?? null;
  const immutable = looksImmutable(details.url, cacheControl);
  const hashBytes = () => {
    const filter = browser.webRequest.filterResponseData(details.requestId) as unknown as StreamFilterLike;
    const observe = (sha256?: string) =>
      bg.monitor
        .observeScriptBytes({ url: details.url, pageUrl, ...(sha256 ? { sha256 } : {}), immutable })
        .then((outcome) => {
          if (outcome.learnedScriptBytes) learned.learned(hostOf(pageUrl), outcome.learnedScriptBytes);
          return bg.show(details.tabId)(outcome);
        })
        .catch(bg.report('script bytes'));
    hashStream(filter, observe, () => observe());
    return {};
  };
  // Bytes only matter for scripts that promise never to change; the rest are not streamed
  // through the extension at all: streaming them cost page-load time and told the detector
  // nothing. A URL learned as immutable stays checked when its header goes; which URLs were
  // learned is answered from memory, so only the first script of a page host not read yet
  // waits for IndexedDB.
  if (immutable) return hashBytes();
  const known = learned.isLearned(hostOf(pageUrl), details.url);
  if (typeof known === 'boolean') return known ? hashBytes() : undefined;
  return known.then(
    (yes) => (yes ? hashBytes() : {}),
    () => ({}),
  );
}
