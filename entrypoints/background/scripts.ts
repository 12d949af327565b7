import type { WebRequest } from 'webextension-polyfill';
import type { BlockingEventLike } from '@/lib/background/firefox/blocking-registrar';
import type { createBlockingScope } from '@/lib/background/firefox/blocking-scope';
import { hashStream, type StreamFilterLike } from '@/lib/background/firefox/script-bytes';
import { messagingPageOfRequest, networkScriptRef, type RequestOrigin } from '@/lib/background/network-inventory';
import { browser } from '@/lib/browser';
import { looksImmutable } from '@/lib/core/detect/scripts';
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
 * Kept as one block, as it stood in the background's single file (lib/background/firefox/ changes apart).
 */
export function listenForFirefoxScriptBytes(bg: Background, blocking: ReturnType<typeof createBlockingScope>) {
  const { isMessagingUrl, monitor, show, report } = bg;
  type HeadersDetails = WebRequest.OnHeadersReceivedDetailsType;
  const headersReceived = browser.webRequest.onHeadersReceived as unknown as BlockingEventLike<HeadersDetails>;
  if (blocking) {
    blocking.register(
      headersReceived,
      (details: HeadersDetails) => {
        const pageUrl = details.documentUrl;
        // Every 2xx answer carries the script's bytes (a proxy can answer 203 as well as 200).
        if (!pageUrl || details.statusCode < 200 || details.statusCode >= 300 || !isMessagingUrl(pageUrl)) return;
        const cacheControl = details.responseHeaders?.find((h) => h.name.toLowerCase() === 'cache-control')?.value ?? null;
        const immutable = looksImmutable(details.url, cacheControl);
        const hashBytes = () => {
          const filter = browser.webRequest.filterResponseData(details.requestId) as unknown as StreamFilterLike;
          const observe = (sha256?: string) =>
            monitor.observeScriptBytes({ url: details.url, pageUrl, ...(sha256 ? { sha256 } : {}), immutable }).then(show(details.tabId)).catch(report('script bytes'));
          hashStream(filter, observe, () => observe());
          return {};
        };
        // Bytes only matter for scripts that promise never to change; the rest are not streamed
        // through the extension at all: streaming them cost page-load time and told the detector
        // nothing. A URL learned as immutable stays checked when its header goes.
        if (immutable) return hashBytes();
        return monitor.hasLearnedScriptBytes(pageUrl, details.url).then(
          (learned) => (learned ? hashBytes() : {}),
          () => ({}),
        );
      },
      { types: ['script'], extraInfoSpec: ['blocking', 'responseHeaders'], onError: report('registering the script-bytes listener') },
    );
  }
}
