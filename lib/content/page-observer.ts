import type { ContentMessage } from '../messages';
import { LIMITS } from '../messages';
import type { ScriptRef } from '../observations';
import { resolveSite, type SiteLists } from '../sites';
import { recogniseMessagingPage } from '../sites/recognise';
import { hostOf } from '../url';

export interface PageObserverDeps {
  document: Document;
  location: { href: string };
  loadSiteLists(): Promise<SiteLists>;
  send(message: ContentMessage): void;
  signal: AbortSignal;
  /** Delay that batches dynamically inserted scripts into one message. */
  batchMs?: number;
}

/** Per page, so a page that inserts scripts in a loop cannot make the extension do unbounded work. */
export const MAX_SCRIPTS_PER_PAGE = 2000;

function scriptRef(element: HTMLScriptElement): ScriptRef | undefined {
  // `src` is the resolved absolute URL; reading the property (not the attribute) resolves <base>.
  const src = element.src;
  if (!src || src.length > LIMITS.url) return undefined;
  return { src };
}

/**
 * Runs in every top-level page. On pages that are not mail or chat it returns after one storage
 * read and, for unknown hosts, a few selector checks at DOMContentLoaded; it never reports them.
 * Content scripts run in an isolated world (Chrome) or behind Xray vision (Firefox), so page code
 * that overrides DOM prototypes does not change what this code reads.
 */
export async function observePage(deps: PageObserverDeps): Promise<void> {
  const { document, signal } = deps;
  const lists = await deps.loadSiteLists();
  await domReady(document, signal);
  if (signal.aborted) return;

  const url = deps.location.href;
  const known = resolveSite(hostOf(url), lists);
  const recognised = known ? undefined : recogniseMessagingPage(document);
  if (!known && !recognised) return;

  let reported = 0;
  const collect = (elements: Iterable<HTMLScriptElement>): ScriptRef[] => {
    const refs: ScriptRef[] = [];
    for (const element of elements) {
      if (reported >= MAX_SCRIPTS_PER_PAGE) break;
      const ref = scriptRef(element);
      if (ref) {
        refs.push(ref);
        reported++;
      }
    }
    return refs;
  };

  const initial = collect(document.scripts as unknown as Iterable<HTMLScriptElement>).slice(0, LIMITS.scriptsPerMessage);
  deps.send({ type: 'page-observed', url, scripts: initial, ...(recognised ? { recognisedAs: recognised.id } : {}) });

  let pending: ScriptRef[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    while (pending.length) {
      deps.send({ type: 'scripts-added', url: deps.location.href, scripts: pending.slice(0, LIMITS.scriptsPerMessage) });
      pending = pending.slice(LIMITS.scriptsPerMessage);
    }
  };

  const observer = new MutationObserver((mutations) => {
    if (reported >= MAX_SCRIPTS_PER_PAGE) return observer.disconnect();
    const added: HTMLScriptElement[] = [];
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeName === 'SCRIPT') added.push(node as HTMLScriptElement);
      }
    }
    pending.push(...collect(added));
    if (pending.length && timer === undefined) timer = setTimeout(flush, deps.batchMs ?? 500);
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  signal.addEventListener('abort', () => {
    observer.disconnect();
    if (timer !== undefined) clearTimeout(timer);
  });
}

function domReady(document: Document, signal: AbortSignal): Promise<void> {
  if (document.readyState !== 'loading') return Promise.resolve();
  return new Promise((resolve) => {
    document.addEventListener('DOMContentLoaded', () => resolve(), { once: true, signal });
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
