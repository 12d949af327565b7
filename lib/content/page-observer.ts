import type { ContentMessage } from '../messages';
import { LIMITS } from '../messages';
import type { FormRef, ScriptRef } from '../observations';
import { resolveSite, type SiteLists } from '../sites';
import { recogniseMessagingPage } from '../sites/recognise';
import { hostOf } from '../url';

export interface PageObserverDeps {
  document: Document;
  location: { href: string };
  loadSiteLists(): Promise<SiteLists>;
  send(message: ContentMessage): void;
  signal: AbortSignal;
  /** Delay that batches dynamically inserted elements into one message. */
  batchMs?: number;
}

/** Per page, so a page that inserts elements in a loop cannot make the extension do unbounded work. */
export const MAX_SCRIPTS_PER_PAGE = 2000;
export const MAX_FORMS_PER_PAGE = 200;

function scriptRef(element: HTMLScriptElement): ScriptRef | undefined {
  // `src` is the resolved absolute URL; reading the property (not the attribute) resolves <base>.
  const src = element.src;
  if (!src || src.length > LIMITS.url) return undefined;
  return { src };
}

function formRef(form: HTMLFormElement, baseUrl: string): FormRef | undefined {
  // The attribute, not `form.action`: a field named "action" would shadow the property.
  let action: string;
  try {
    action = new URL(form.getAttribute('action') ?? '', baseUrl).href;
  } catch {
    return undefined;
  }
  if (action.length > LIMITS.url || !/^https?:/.test(action)) return undefined;
  return { action, hasPassword: form.querySelector('input[type="password" i]') !== null };
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

  let scriptsReported = 0;
  const collectScripts = (elements: Iterable<HTMLScriptElement>): ScriptRef[] => {
    const refs: ScriptRef[] = [];
    for (const element of elements) {
      if (scriptsReported >= MAX_SCRIPTS_PER_PAGE) break;
      const ref = scriptRef(element);
      if (ref) {
        refs.push(ref);
        scriptsReported++;
      }
    }
    return refs;
  };

  const formsReported = new Set<string>();
  const collectNewForms = (): FormRef[] => {
    const refs: FormRef[] = [];
    for (const form of document.forms as unknown as Iterable<HTMLFormElement>) {
      if (formsReported.size >= MAX_FORMS_PER_PAGE) break;
      const ref = formRef(form, document.baseURI);
      const key = ref && `${ref.action}|${ref.hasPassword}`;
      if (ref && key && !formsReported.has(key)) {
        formsReported.add(key);
        refs.push(ref);
      }
    }
    return refs;
  };

  const initialScripts = collectScripts(document.scripts as unknown as Iterable<HTMLScriptElement>);
  deps.send({
    type: 'page-observed',
    url,
    scripts: initialScripts.slice(0, LIMITS.scriptsPerMessage),
    forms: collectNewForms().slice(0, LIMITS.formsPerMessage),
    ...(recognised ? { recognisedAs: recognised.id } : {}),
  });
  let pendingScripts = initialScripts.slice(LIMITS.scriptsPerMessage);
  let formsMayHaveChanged = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    let forms = formsMayHaveChanged ? collectNewForms() : [];
    formsMayHaveChanged = false;
    while (pendingScripts.length || forms.length) {
      deps.send({
        type: 'elements-added',
        url: deps.location.href,
        scripts: pendingScripts.slice(0, LIMITS.scriptsPerMessage),
        forms: forms.slice(0, LIMITS.formsPerMessage),
      });
      pendingScripts = pendingScripts.slice(LIMITS.scriptsPerMessage);
      forms = forms.slice(LIMITS.formsPerMessage);
    }
  };
  const schedule = () => {
    if (timer === undefined) timer = setTimeout(flush, deps.batchMs ?? 500);
  };
  if (pendingScripts.length) schedule();

  const observer = new MutationObserver((mutations) => {
    const added: HTMLScriptElement[] = [];
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeName === 'SCRIPT') added.push(node as HTMLScriptElement);
        // Forms are rescanned once per batch from document.forms, however many nodes arrive.
        else if (node.nodeType === 1) formsMayHaveChanged = true;
      }
    }
    if (scriptsReported < MAX_SCRIPTS_PER_PAGE) pendingScripts.push(...collectScripts(added));
    if (pendingScripts.length || formsMayHaveChanged) schedule();
    if (scriptsReported >= MAX_SCRIPTS_PER_PAGE && formsReported.size >= MAX_FORMS_PER_PAGE) observer.disconnect();
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
