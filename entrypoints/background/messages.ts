import type { Runtime } from 'webextension-polyfill';
import { isWorkerStopped } from '@/lib/background/failures';
import { pageUrlOfSender } from '@/lib/background/sender';
import type { SourceRef } from '@/lib/background/source-limit';
import { browser } from '@/lib/browser';
import { hostOf, originOf } from '@/lib/core/url';
import { validateContentMessage, type ContentMessage } from '@/lib/messages';
import { isUiRequest } from '@/lib/ui-messages';
import type { Background } from './context';

const recorded = () => ({ recorded: true });

/**
 * An error here is tapguard's own, and sending the message again would only repeat it; unless
 * the browser stopped the worker meanwhile: then the rejection makes the content script re-send.
 */
const failed = (bg: Background, what: string) => (error: unknown) => {
  bg.report(what)(error);
  if (isWorkerStopped(error)) throw error;
  return { recorded: false };
};

/**
 * A content script's report, validated. The answer comes once the message is recorded: a content
 * script whose send fails (the worker was stopped meanwhile) sends it again (lib/content/deliver.ts).
 */
export const contentMessage = (bg: Background) => (raw: unknown, sender: Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || sender.tab?.id === undefined || !sender.url || isUiRequest(raw)) return;
  const validated = validateContentMessage(raw);
  if (!validated.ok) {
    console.warn(`tapguard: dropped a malformed message from tab ${sender.tab.id}: ${validated.reason}`);
    return;
  }
  const message = validated.message;
  // The browser's word for where the message came from beats the message's own claim.
  const url = pageUrlOfSender(sender, message.url);
  if (!url) {
    console.warn('tapguard: dropped a message whose url does not match its sender');
    return;
  }
  const tabId = sender.tab.id;
  const source: SourceRef = { tabId, frameId: sender.frameId ?? 0, origin: originOf(url) };
  // A frame's first inventory is, for the tab, elements added to it: the tab's verdict and
  // visit count belong to its top document.
  if (message.type === 'elements-added' || sender.frameId !== 0) {
    // What a frame showed belongs to the tab's page in the popup, whatever host the frame is on.
    const tabHost = sender.frameId !== 0 && sender.tab.url ? hostOf(sender.tab.url) : hostOf(url);
    return bg
      .limited(source, () => bg.monitor.observeScripts(url, message.scripts, message.forms, message.frames, message.violations, message.scriptBudgetExceeded))
      .then(bg.show(tabId, { host: hostOf(url), topHost: tabHost }))
      .then(recorded, failed(bg, 'page change'));
  }
  return pageReport(bg, tabId, url, source, message);
};

/** A top document's own report: its page, then the headers that waited for it. */
function pageReport(bg: Background, tabId: number, url: string, source: SourceRef, message: Extract<ContentMessage, { type: 'page-observed' }>) {
  const pendingHeaders = bg.pendingMainFrame.get(tabId);
  bg.pendingMainFrame.delete(tabId);
  // The page's own URL comes from the browser (sender.url), not from the message.
  const { type: _type, url: _claimed, ...parts } = message;
  const page = { host: hostOf(url), topHost: hostOf(url) };
  return bg
    .limited(source, () => bg.monitor.observePage({ ...parts, url }))
    .then(async (outcome) => {
      // A self-hosted page recognised only now: its session starts with its first observation.
      if (outcome.site && bg.scopes.get(tabId)?.site.host !== outcome.site.host) await bg.scopes.commit(tabId, url, outcome.site);
      await bg.show(tabId, page, 'page')(outcome);
      if (outcome.site && pendingHeaders && hostOf(pendingHeaders.url) === outcome.site.host) await bg.show(tabId, page)(await bg.monitor.observeHeaders(pendingHeaders));
    })
    .then(recorded, failed(bg, 'page observation'));
}
