import type { ScriptRef } from '../core/observations';
import { originOf } from '../core/url';

/**
 * The network's inventory of a messaging page's code: script, module, worker and object requests
 * the browser made for the page or one of its own frames, seen in the background where page code
 * cannot touch them. They are judged like the DOM's inventory (script.new-origin, against the
 * same learned origins), so code that only one of the two sees is still judged: a script whose
 * element removed itself, `import()`, workers and service workers never show in the DOM, while
 * code from the memory cache, `data:` and `blob:` never shows on the network.
 */

/** What both browsers' webRequest tell about who asked for a request. */
export interface RequestOrigin {
  /** Firefox: the URL of the document that made the request. */
  documentUrl?: string;
  /** Firefox: the frames above that document, nearest first. */
  frameAncestors?: readonly { url: string }[];
  /** Chrome: the origin of the document that made the request. */
  initiator?: string;
}

const isHttp = (url: string | undefined): url is string => url !== undefined && /^https?:\/\//i.test(url);

/**
 * The messaging page a request was made for, or undefined. A srcdoc, about:blank, data: or blob:
 * document counts for the frame that made it (Firefox names it in frameAncestors; Chrome's
 * initiator already is the inherited origin). Frames of other sites are theirs, not the page's.
 * The one place that decides "is this request from a messaging page", so a per-tab scope can
 * replace it.
 */
export function messagingPageOfRequest(details: RequestOrigin, isMessagingUrl: (url: string) => boolean): string | undefined {
  const documentUrl = details.documentUrl;
  if (documentUrl !== undefined) {
    const page = isHttp(documentUrl) ? documentUrl : details.frameAncestors?.[0]?.url;
    return isHttp(page) && isMessagingUrl(page) ? page : undefined;
  }
  // Chrome gives an origin only: the page is named by it.
  const initiator = details.initiator;
  return isHttp(initiator) && isMessagingUrl(initiator) ? `${initiator}/` : undefined;
}

/**
 * The script a request stands for, when it can say anything the page's own origin could not:
 * same-origin code is the service's own, and never a new origin.
 */
export function networkScriptRef(requestUrl: string, pageUrl: string): ScriptRef | undefined {
  if (!isHttp(requestUrl)) return undefined;
  const origin = originOf(requestUrl);
  if (!origin || origin === originOf(pageUrl)) return undefined;
  return { src: requestUrl, network: true };
}

/**
 * Which script origins each tab's page already passed on since it was loaded, so a page that
 * loads fifty scripts from one CDN costs one judgement, not fifty, and every new page load is
 * judged afresh (its tab's popup must show it). Bounded; losing it (a worker restart) costs only
 * a repeated judgement, never a finding.
 */
export function createSeenScriptOrigins(maxTabs = 200) {
  const byTab = new Map<number, Set<string>>();
  return {
    /** True the first time this tab's page asks for code from this origin. */
    first(tabId: number, pageUrl: string, scriptUrl: string): boolean {
      const key = `${originOf(pageUrl)} ${originOf(scriptUrl)}`;
      let seen = byTab.get(tabId);
      if (!seen) {
        if (byTab.size >= maxTabs) byTab.clear();
        byTab.set(tabId, (seen = new Set()));
      }
      if (seen.has(key) || seen.size >= 500) return false;
      seen.add(key);
      return true;
    },
    /** The tab loads a new page. */
    reset(tabId: number): void {
      byTab.delete(tabId);
    },
  };
}
