import type { Browser } from '../browser';
import { API_HINT_FILTER, createRecognition, injectRecogniser, type ApiRequestDetails, type ExecuteScriptApi } from './recognition';

/**
 * The browser events of lib/background/recognition.ts. Registered synchronously with the
 * background's other listeners. Ordinary pages cost one look at their top document's response
 * headers in the background; the API-request filter is matched by the browser. A hinted page's
 * commit reaches the recognition through the background's own onCommitted listener.
 */
export function listenForRecognition(browser: Browser, isKnownUrl: (url: string) => boolean | undefined, report: (what: string) => (error: unknown) => void) {
  const recognition = createRecognition({
    isKnownUrl,
    inject: injectRecogniser(browser.scripting as unknown as ExecuteScriptApi),
    report,
  });
  // Chrome hands extensions Set-Cookie only with `extraHeaders`; Firefox always does.
  const spec = (import.meta.env.FIREFOX ? ['responseHeaders'] : ['responseHeaders', 'extraHeaders']) as ['responseHeaders'];
  browser.webRequest.onHeadersReceived.addListener((details) => void recognition.documentResponse(details), { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] }, spec);
  browser.webRequest.onBeforeRequest.addListener((details) => void recognition.apiRequest(details as ApiRequestDetails), API_HINT_FILTER as Parameters<Browser['webRequest']['onBeforeRequest']['addListener']>[1]);
  return recognition;
}
