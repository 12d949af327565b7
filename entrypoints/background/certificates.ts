import type { WebRequest } from 'webextension-polyfill';
import { connectionKey } from '@/lib/background/cert-cache';
import type { BlockingEventLike } from '@/lib/background/firefox/blocking-registrar';
import type { createBlockingScope } from '@/lib/background/firefox/blocking-scope';
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

/** What Chrome's standard securityInfo is asked for: the documents and connections that carry messages. */
export const STANDARD_SECURITY_INFO_FILTER = { urls: ['https://*/*', 'wss://*/*'], types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'websocket'] };

/**
 * The proposed standard webRequest securityInfo (w3c/webextensions#882), where a browser offers
 * it: leaves judged without the debugger, unless deep inspection (which reads whole chains) is on.
 * Chromium 156 accepts the option but sends no securityInfo yet (measured): nothing happens then.
 */
export const standardCertificate = (bg: Background) => (tabId: number, cert: CertObservation) => {
  if (tabId < 0 || (bg.deep.inspector && bg.deep.on !== false) || !bg.isMessagingUrl(cert.url)) return;
  bg.observeAndShow('standard certificate', tabId, bg.monitor.observeCertificate(cert));
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
 * Certificates: only Firefox lets extensions read them (webRequest.getSecurityInfo, blocking).
 * Kept as one block, as it stood in the background's single file (lib/background/firefox/ changes apart).
 */
export function listenForFirefoxCertificates(bg: Background, blocking: ReturnType<typeof createBlockingScope>) {
  const { refreshSiteLists, scopes, judged, show, report, limited, monitor, mayBeInScope } = bg;
  type HeadersDetails = WebRequest.OnHeadersReceivedDetailsType;
  const headersReceived = browser.webRequest.onHeadersReceived as unknown as BlockingEventLike<HeadersDetails>;
  const inspect = async (details: WebRequest.OnHeadersReceivedDetailsType) => {
    const lists = bg.lists() ?? (await refreshSiteLists());
    const scope = scopeOf(details, scopes.get, lists);
    if (!scope) return;
    const securityInfo = async (chain: boolean) =>
      certObservationFromSecurityInfo(details, (await browser.webRequest.getSecurityInfo(details.requestId, chain ? { certificateChain: true, rawDER: true } : {})) as FirefoxSecurityInfo);
    // The leaf alone names the connection; the whole chain, with its DER to parse, is read only
    // for a connection not judged yet, so the requests of a judged one are held for less time.
    const leaf = await securityInfo(false);
    const known = judged.get(leaf && connectionKey(leaf));
    if (known) return void show(details.tabId, requestOrigin(details))({ site: scope.site, recorded: [...known] }).catch(report('certificate observation'));
    const cert = await securityInfo(true);
    if (!cert) return;
    const connection = connectionKey(cert);
    limited(requestSource(details), () => monitor.observeCertificate(cert, scope.site))
      .then((outcome) => {
        // Judged (not skipped by the source limit): the same connection needs no second look.
        if (outcome.site) judged.set(connection, outcome.recorded);
        return show(details.tabId, requestOrigin(details))(outcome);
      })
      .catch(report('certificate observation'));
  };

  blocking.register(
    headersReceived,
    (details: HeadersDetails) => {
      if (!details.url.startsWith('https:') && !details.url.startsWith('wss:')) return;
      // Only requests of mail and chat hosts and of tabs in a session reach this listener at all
      // (lib/background/firefox/blocking-scope.ts). What is not in scope returns at once, without
      // a promise, so it is never held. That includes the first page of a self-hosted webmail not
      // yet recognised: its certificate is checked from its next request on.
      if (!mayBeInScope(details)) return;
      return inspect(details).then(
        () => ({}),
        (error) => {
          report('certificate check')(error);
          return {};
        },
      );
    },
    { types: ['main_frame', 'sub_frame', 'script', 'xmlhttprequest', 'websocket'], extraInfoSpec: ['blocking'], onError: report('registering the certificate listener') },
  );
}
