import { API_HINT_TYPES, API_PATH_HINTS, hintsFromApiRequest, hintsFromResponse, type ResponseHeader } from '../core/sites/response-hints';
import { originOf } from '../core/url';
import { RECOGNISE_SCRIPT } from './content-scripts';

/**
 * Self-hosted webmail and chat recognised without a content script on every page. The background
 * looks at each top-level document's response (path, cookie names, headers: lib/core/sites/response-hints.ts)
 * and at a few API requests only those apps make (filtered by the browser, so no other request
 * arrives here). Only a hinted document gets the DOM recogniser (`recognise`, RECOGNISE_SCRIPT)
 * injected, once it has committed (webNavigation.onCommitted, which the background listens to for
 * every top-level page anyway); the script waits for the page to be parsed, confirms with the recognisers and then observes, as a
 * known host's `watch` script does, and a confirmed host is remembered (monitor's
 * rememberRecognisedHost), so its next load gets `watch` from document_start.
 *
 * Only top-level documents: a frame's report does not make its host known (the background takes
 * a frame's inventory as the tab's page's), so recognising one would tell nothing.
 *
 * Why at commit and not at DOMContentLoaded: a listener added only while a hint waits reaches the
 * browser asynchronously, and a small page could be parsed before it did (seen on a loaded machine:
 * the first visit went unrecognised). The commit is the first moment the new document exists.
 *
 * The two events reach the background on different channels, and Firefox can deliver a document's
 * commit before its response (seen in the e2e runs): a hint that finds its document already
 * committed (a commit at or after the response, at the same URL) injects at once.
 *
 * Hints are held in memory, for the moments between a response and its commit: the
 * worker is awake then (it just handled the response), and a hint lost to a stopped worker costs
 * only the first visit's judgement, never a finding.
 */
export interface DocumentResponseDetails {
  tabId: number;
  frameId: number;
  url: string;
  statusCode: number;
  responseHeaders?: ResponseHeader[];
  /** When the response arrived (ms since the epoch, the browser's clock). */
  timeStamp?: number;
}

export interface CommitDetails {
  tabId: number;
  frameId: number;
  url: string;
  /** When the document committed (ms since the epoch, the browser's clock). */
  timeStamp?: number;
}

export interface ApiRequestDetails {
  tabId: number;
  frameId: number;
  url: string;
  /** Firefox: the document that made the request. */
  documentUrl?: string;
  /** Chrome: the origin that made it. */
  initiator?: string;
}

export interface RecognitionDeps {
  /** Whether the URL is already known to be mail or chat (then `watch` is there); undefined while the lists load. */
  isKnownUrl(url: string): boolean | undefined;
  /** Runs the recogniser in the tab's top document. */
  inject(tabId: number): Promise<unknown>;
  report(what: string): (error: unknown) => void;
}

/** A document's URL without its fragment, so webRequest's and webNavigation's URLs compare. */
const documentKey = (url: string) => url.replace(/#.*$/s, '');

/** At most this many hinted documents wait at once (tabs opened together); older ones are dropped. */
const MAX_PENDING = 50;

export function createRecognition(deps: RecognitionDeps) {
  /** Per tab: the hinted document's URL waiting for its commit. */
  const pending = new Map<number, string>();
  /** Per tab: the origin whose document got the recogniser (one injection per document). */
  const injected = new Map<number, string>();
  /** Per tab: the top document that committed last, and when. */
  const committed = new Map<number, { url: string; at: number }>();
  /** The document of this response has already committed: its commit came first. */
  const alreadyCommitted = (details: DocumentResponseDetails) => {
    const last = committed.get(details.tabId);
    return last !== undefined && details.timeStamp !== undefined && last.url === documentKey(details.url) && last.at >= details.timeStamp;
  };

  const setPending = (tabId: number, url: string | undefined) => {
    pending.delete(tabId);
    if (url === undefined) return;
    pending.set(tabId, url);
    if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
  };

  const inject = (tabId: number, url: string) => {
    const origin = originOf(url);
    if (!origin || injected.get(tabId) === origin || deps.isKnownUrl(url) !== false) return false;
    injected.set(tabId, origin);
    void deps.inject(tabId).catch(deps.report('injecting the recogniser'));
    return true;
  };

  return {
    /** webRequest.onHeadersReceived of a main frame: a new document, hinted or not. */
    documentResponse(details: DocumentResponseDetails): void {
      if (details.tabId < 0 || details.frameId !== 0) return;
      // A redirect's document never loads; the one it leads to has its own response.
      if (details.statusCode >= 300 && details.statusCode < 400) return;
      injected.delete(details.tabId);
      const hinted = hintsFromResponse({ url: details.url, statusCode: details.statusCode, headers: details.responseHeaders ?? [] }).length > 0;
      const waiting = hinted && deps.isKnownUrl(details.url) !== true;
      if (waiting && alreadyCommitted(details)) {
        setPending(details.tabId, undefined);
        inject(details.tabId, details.url);
        return;
      }
      if (hinted || pending.has(details.tabId)) setPending(details.tabId, waiting ? documentKey(details.url) : undefined);
    },
    /** webNavigation.onCommitted: a hinted document exists, so the recogniser can go into it. */
    documentCommitted(details: CommitDetails): boolean {
      if (details.frameId !== 0) return false;
      if (details.timeStamp !== undefined) {
        committed.delete(details.tabId);
        committed.set(details.tabId, { url: documentKey(details.url), at: details.timeStamp });
        if (committed.size > MAX_PENDING) committed.delete(committed.keys().next().value!);
      }
      const url = pending.get(details.tabId);
      if (url === undefined) return false;
      setPending(details.tabId, undefined);
      return url === documentKey(details.url) && inject(details.tabId, details.url);
    },
    /** A request only a self-hosted app's page makes (API_PATH_HINTS): hints the document that made it. */
    apiRequest(details: ApiRequestDetails): boolean {
      const page = details.documentUrl ?? details.initiator;
      if (details.tabId < 0 || details.frameId !== 0 || !page || !hintsFromApiRequest(details.url).length) return false;
      // The document may still be loading: the script waits for it to be parsed (lib/content/page-observer.ts).
      return inject(details.tabId, page);
    },
    forgetTab(tabId: number): void {
      injected.delete(tabId);
      committed.delete(tabId);
      if (pending.has(tabId)) setPending(tabId, undefined);
    },
  };
}

/** The webRequest filter for {@link createRecognition}'s `apiRequest`. */
export const API_HINT_FILTER = { urls: API_PATH_HINTS.flatMap(({ patterns }) => patterns), types: [...API_HINT_TYPES] };

/** The part of `scripting` injection needs (Chrome MV3; Firefox 102+ in MV2). */
export interface ExecuteScriptApi {
  executeScript(injection: { target: { tabId: number; frameIds: number[] }; files: string[] }): Promise<unknown>;
}

/** Runs the recogniser in a tab's top document. */
export const injectRecogniser = (scripting: ExecuteScriptApi) => (tabId: number) =>
  scripting.executeScript({ target: { tabId, frameIds: [0] }, files: [RECOGNISE_SCRIPT] });
