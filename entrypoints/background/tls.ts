import type { WebRequest } from 'webextension-polyfill';
import type { HeadersObservation } from '@/lib/core/observations';
import { requestOrigin, requestSource, type Background } from './context';

/** Downgrading redirects. The first URL of each chain is kept only while the chain runs. */
export function createRedirectWatch(bg: Background) {
  const chainStart = new Map<string, string>();
  const redirected = (details: WebRequest.OnBeforeRedirectDetailsType) => {
    const firstUrl = chainStart.get(details.requestId) ?? details.url;
    if (chainStart.size > 500) chainStart.clear();
    chainStart.set(details.requestId, firstUrl);
    if (!details.redirectUrl.startsWith('http:')) return;
    // A frame's chain counts in a watched tab; a top-level one only from a watched https URL.
    const session = details.type === 'sub_frame' && details.tabId >= 0 ? bg.scopes.get(details.tabId) : undefined;
    if (!session && !bg.mayBeMessaging(firstUrl)) return;
    const observed = bg.limited(requestSource(details), () =>
      bg.monitor.observeRedirect({ firstUrl, fromUrl: details.url, toUrl: details.redirectUrl, resourceType: details.type }, session?.site),
    );
    // A top-level chain belongs to the document it leads to.
    bg.observeAndShow('redirect observation', details.tabId, observed, requestOrigin({ ...details, url: details.redirectUrl }));
  };
  const ended = (details: { requestId: string }) => void chainStart.delete(details.requestId);
  return { redirected, ended };
}

/** Clear-text sockets and subresources requested by messaging pages. */
export const clearTextRequest = (bg: Background) => (details: WebRequest.OnBeforeRequestDetailsType) => {
  const pageUrl = details.documentUrl ?? (details as { initiator?: string }).initiator;
  const scope = details.type === 'main_frame' ? undefined : bg.isInScope({ ...details, url: pageUrl ?? details.url });
  if (!pageUrl || (!bg.mayBeMessaging(pageUrl) && !scope)) return;
  const observed = bg.limited(requestSource(details), () => bg.monitor.observeRequest({ url: details.url, pageUrl, resourceType: details.type }, scope?.site));
  bg.observeAndShow('request observation', details.tabId, observed);
};

/** Security headers of messaging documents (HSTS now; CSP is read by the script-injection family). */
export const documentHeaders = (bg: Background) => (details: WebRequest.OnHeadersReceivedDetailsType) => {
  // Only a page's own response says what protection it has: redirects and errors carry no CSP.
  if (details.statusCode < 200 || details.statusCode >= 300) return;
  const header = (name: string) => details.responseHeaders?.find((h) => h.name.toLowerCase() === name)?.value ?? null;
  // Every CSP header is enforced, so all of them are read, joined as one list of policies.
  const csp = details.responseHeaders?.filter((h) => h.name.toLowerCase() === 'content-security-policy' && h.value !== undefined).map((h) => h.value!);
  const headers: HeadersObservation = {
    url: details.url,
    strictTransportSecurity: header('strict-transport-security'),
    contentSecurityPolicy: csp?.length ? csp.join(', ') : null,
  };
  if (!bg.isMessagingUrl(details.url)) {
    if (details.tabId >= 0) bg.pendingMainFrame.set(details.tabId, headers);
    return;
  }
  bg.observeAndShow('header observation', details.tabId, bg.monitor.observeHeaders(headers), requestOrigin(details));
};
