import type { Runtime, WebRequest } from 'webextension-polyfill';
import { browser } from '@/lib/browser';
import { addRecorded, badgeFor, type TabFindings } from '@/lib/badge';
import { openDb } from '@/lib/db';
import { certObservationFromSecurityInfo, type FirefoxSecurityInfo } from '@/lib/firefox/security-info';
import { createRecorder } from '@/lib/incidents';
import { validateContentMessage } from '@/lib/messages';
import { createMonitor, type Outcome } from '@/lib/monitor';
import type { CertObservation } from '@/lib/observations';
import { addRecognisedHost, loadSettings, loadSiteLists, onStorageChanged } from '@/lib/settings';
import { resolveSite, type SiteLists } from '@/lib/sites';
import { hostOf } from '@/lib/url';

export default defineBackground(() => {
  const browserFamily = import.meta.env.FIREFOX ? 'firefox' : 'chrome';
  const db = openDb();
  const monitor = createMonitor({
    db,
    recorder: createRecorder(db, { browser: `${browserFamily} ${navigator.userAgent.match(/(Firefox|Chrome)\/[\d.]+/)?.[0] ?? ''}`.trim() }),
    loadSiteLists,
    loadSettings,
    rememberRecognisedHost: addRecognisedHost,
    now: Date.now,
  });

  // Display state only: if the worker sleeps the badge already shown stays; findings are in IndexedDB.
  const tabFindings = new Map<number, TabFindings>();
  const action = browser.action ?? browser.browserAction;
  const showOutcome = (tabId: number | undefined, outcome: Outcome) => {
    if (tabId === undefined || tabId < 0 || !outcome.site) return;
    const tab = tabFindings.get(tabId) ?? new Map();
    tabFindings.set(tabId, tab);
    addRecorded(tab, outcome.recorded);
    const badge = badgeFor(tab);
    void action.setBadgeText({ tabId, text: badge.text }).catch(() => undefined);
    if (badge.text) void action.setBadgeBackgroundColor({ tabId, color: badge.color }).catch(() => undefined);
  };
  const report = (what: string) => (error: unknown) => console.error(`tapguard: ${what} failed`, error);

  // Listeners are registered synchronously, before any await: an MV3 worker woken by an event
  // only delivers it to listeners that exist by the end of its first turn.
  browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
    if (sender.id !== browser.runtime.id || !sender.tab || sender.tab.id === undefined || !sender.url) return;
    const validated = validateContentMessage(raw);
    if (!validated.ok) {
      console.warn(`tapguard: dropped a malformed message from tab ${sender.tab.id}: ${validated.reason}`);
      return;
    }
    const message = validated.message;
    // The browser's word for where the message came from beats the message's own claim.
    if (hostOf(message.url) !== hostOf(sender.url)) {
      console.warn(`tapguard: dropped a message whose url does not match its sender`);
      return;
    }
    const tabId = sender.tab.id;
    if (message.type === 'page-observed') {
      if (sender.frameId !== 0) return;
      const page = { url: sender.url, scripts: message.scripts, ...(message.recognisedAs ? { recognisedAs: message.recognisedAs } : {}) };
      const pendingCert = pendingMainFrameCert.get(tabId);
      monitor
        .observePage(page)
        .then(async (outcome) => {
          showOutcome(tabId, outcome);
          // The certificate of a page recognised only now arrived before we knew it was mail.
          if (outcome.site && pendingCert && hostOf(pendingCert.url) === hostOf(page.url)) {
            pendingMainFrameCert.delete(tabId);
            showOutcome(tabId, await monitor.observeCertificate(pendingCert));
          }
        })
        .catch(report('page observation'));
    } else {
      monitor.observeScripts(sender.url, message.scripts).then((o) => showOutcome(tabId, o)).catch(report('script observation'));
    }
  });

  browser.webRequest.onBeforeRequest.addListener(
    (details) => {
      tabFindings.delete(details.tabId);
      pendingMainFrameCert.delete(details.tabId);
      if (details.tabId >= 0) void action.setBadgeText({ tabId: details.tabId, text: '' }).catch(() => undefined);
    },
    { urls: ['<all_urls>'], types: ['main_frame'] },
  );
  browser.tabs.onRemoved.addListener((tabId) => {
    tabFindings.delete(tabId);
    pendingMainFrameCert.delete(tabId);
  });

  // Certificates: only Firefox lets extensions read them (webRequest.getSecurityInfo, blocking).
  const pendingMainFrameCert = new Map<number, CertObservation>();
  if (import.meta.env.FIREFOX) {
    let siteLists: SiteLists | undefined;
    const refreshSiteLists = () => loadSiteLists().then((lists) => (siteLists = lists));
    void refreshSiteLists();
    onStorageChanged(() => void refreshSiteLists());

    const inspect = async (details: WebRequest.OnHeadersReceivedDetailsType) => {
      const lists = siteLists ?? (await refreshSiteLists());
      const known = resolveSite(hostOf(details.url), lists);
      if (!known && details.type !== 'main_frame') return;
      const info = (await browser.webRequest.getSecurityInfo(details.requestId, { certificateChain: true })) as FirefoxSecurityInfo;
      const cert = certObservationFromSecurityInfo(details, info);
      if (!cert) return;
      if (!known) {
        // Held in memory for this tab only, until its page says whether it is self-hosted mail.
        pendingMainFrameCert.set(details.tabId, cert);
        return;
      }
      monitor.observeCertificate(cert).then((o) => showOutcome(details.tabId, o)).catch(report('certificate observation'));
    };

    browser.webRequest.onHeadersReceived.addListener(
      (details) => {
        if (!details.url.startsWith('https:') && !details.url.startsWith('wss:')) return;
        // Non-messaging subresources return at once, without a promise, so they are never held.
        if (details.type !== 'main_frame' && siteLists && !resolveSite(hostOf(details.url), siteLists)) return;
        return inspect(details).then(
          () => ({}),
          (error) => {
            report('certificate check')(error);
            return {};
          },
        );
      },
      { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame', 'script', 'xmlhttprequest', 'websocket'] },
      ['blocking'],
    );
  }
});
