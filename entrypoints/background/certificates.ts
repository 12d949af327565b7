import type { WebRequest } from 'webextension-polyfill';
import type { RequestEventLike } from '@/lib/background/request-scope/registrar';
import type { createRequestScope } from '@/lib/background/request-scope/scope';
import { SECURITY_INFO_OPTIONS } from '@/lib/background/firefox/certificate-reads';
import { certObservationFromSecurityInfo, type FirefoxSecurityInfo } from '@/lib/background/firefox/security-info';
import { scopeOf } from '@/lib/background/session-scope';
import { deepStatusKey } from '@/lib/background/tab-state';
import { browser } from '@/lib/browser';
import { classifyRequestError } from '@/lib/core/detect/cert-error';
import { isUnexplainedSocketFailure } from '@/lib/core/detect/refused-connection';
import type { CertObservation } from '@/lib/core/observations';
import { resolveSite } from '@/lib/core/sites';
import { hostOf } from '@/lib/core/url';
import { requestOrigin, requestSource, type Background } from './context';
import { checkScriptBytes } from './scripts';

/** What Chrome's standard securityInfo is asked for: the documents and connections that carry messages (judged when in a session). */
export const STANDARD_SECURITY_INFO_FILTER = { urls: ['https://*/*', 'wss://*/*'], types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'websocket'] };

/**
 * The proposed standard webRequest securityInfo (w3c/webextensions#882), where a browser offers
 * it: leaves judged without the debugger, unless deep inspection (which reads whole chains) is on.
 * Chromium 156 accepts the option but sends no securityInfo yet (measured): nothing happens then.
 */
export const standardCertificate = (bg: Background) => (tabId: number, cert: CertObservation) => {
  if (tabId < 0 || (bg.deep.inspector && bg.deep.on !== false)) return;
  // Every connection of the tab's messaging session, whatever its host, as in Firefox.
  const scope = bg.isInScope({ url: cert.url, tabId, type: cert.resourceType });
  if (!scope) return;
  bg.observeAndShow('standard certificate', tabId, bg.monitor.observeCertificate(cert, scope.site));
  const judged = { host: hostOf(cert.url), what: cert.resourceType === 'main_frame' ? 'page' : 'request', source: 'webrequest' };
  void browser.storage.session.set({ [deepStatusKey(tabId)]: { state: 'standard', judged: [judged] } }).catch(bg.report('certificate source'));
};

/**
 * Certificate and TLS errors on messaging hosts, in both browsers: the connection failed, so
 * there is no certificate to read, only the browser's error string. Everything else that fails
 * (aborted loads, DNS, resets) is dropped by a string test before any work.
 * Chromium reports a socket refused for its certificate only as net::ERR_FAILED: see
 * lib/core/detect/refused-connection.ts.
 */
export const requestError = (bg: Background) => (details: WebRequest.OnErrorOccurredDetailsType) => {
  const certificate = classifyRequestError(details.error) !== undefined;
  if (!certificate && !isUnexplainedSocketFailure(details.error, details.type)) return;
  const scope = bg.isInScope(details);
  // A certificate error counts while the lists load too; an unexplained failure only in a session.
  if (certificate ? !bg.mayBeInScope(details) : !scope) return;
  const pageSite = bg.scopes.get(details.tabId)?.site ?? (scope?.pageHost !== undefined ? resolveSite(scope.pageHost, bg.lists()!) : undefined);
  const observe = certificate
    ? () => bg.monitor.observeRequestError(details.url, details.error, details.type, scope?.site)
    : () => (pageSite ? bg.monitor.observeRefusedConnection({ url: details.url, error: details.error, resourceType: details.type, pageHost: pageSite.host, pageName: pageSite.name }, pageSite) : Promise.resolve({ recorded: [] }));
  bg.observeAndShow('certificate error observation', details.tabId, bg.limited(requestSource(details), observe), requestOrigin(details), 'now');
};

/**
 * Firefox's one blocking onHeadersReceived listener, registered only for the requests in scope
 * (lib/background/request-scope/scope.ts). It reads each connection's certificate
 * (getSecurityInfo, which Firefox gives only inside a blocking listener) and, for scripts, their
 * bytes (scripts.ts). One listener for both: every blocking listener a request meets costs it a
 * round trip to the extension, whatever the listener returns.
 */
export function listenForFirefoxBlocking(bg: Background, blocking: ReturnType<typeof createRequestScope>) {
  type HeadersDetails = WebRequest.OnHeadersReceivedDetailsType;
  const headersReceived = browser.webRequest.onHeadersReceived as unknown as RequestEventLike<HeadersDetails>;
  const inspect = async (details: HeadersDetails, read: Promise<unknown>) => {
    const cert = certObservationFromSecurityInfo(details, (await read) as FirefoxSecurityInfo);
    if (!cert) return;
    const lists = bg.lists() ?? (await bg.refreshSiteLists());
    const scope = scopeOf(details, bg.scopes.get, lists);
    if (!scope) return;
    const outcome = await bg.certificateReads.outcomeFor(cert, scope.site, () => bg.limited(requestSource(details), () => bg.monitor.observeCertificate(cert, scope.site)));
    await bg.show(details.tabId, requestOrigin(details))(outcome);
  };
  const checkCertificate = (details: HeadersDetails) => {
    if (!details.url.startsWith('https:') && !details.url.startsWith('wss:')) return;
    // What is not in scope returns at once. That includes the first page of a self-hosted webmail
    // not yet recognised: its certificate is checked from its next request on.
    if (!bg.mayBeInScope(details)) return;
    // Asked in this turn, Firefox answers with the request's certificate although the request is
    // not held: nothing is returned, so no request waits for the check
    // (lib/background/firefox/certificate-reads.ts).
    const read = browser.webRequest.getSecurityInfo(details.requestId, SECURITY_INFO_OPTIONS);
    void inspect(details, read).catch(bg.report('certificate check'));
  };
  blocking.register(
    headersReceived,
    (details: HeadersDetails) => {
      checkCertificate(details);
      return details.type === 'script' && bg.learnedScripts ? checkScriptBytes(bg, bg.learnedScripts, details) : undefined;
    },
    { types: ['main_frame', 'sub_frame', 'script', 'xmlhttprequest', 'websocket'], extraInfoSpec: ['blocking', 'responseHeaders'], onError: bg.report('registering the certificate and script-bytes listener') },
  );
}
