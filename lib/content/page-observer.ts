import { sha256HexOfText } from './sha256';
import type { ContentMessage, PageParts } from '../messages';
import { LIMITS } from '../limits';
import type { CspViolation, FormRef, FrameRef, ScriptRef } from '../observations';
import { originAndPath } from '../url';

export interface PageObserverDeps {
  document: Document;
  location: { href: string };
  /**
   * For a page on a host not known to be mail or chat: the id of the self-hosted messaging app
   * its DOM shows, if any. Absent where the script was injected because the host is known
   * (lib/content-scripts.ts), so a mail page pays for no recogniser and no storage read.
   */
  recognise?(document: Document): string | undefined;
  send(message: ContentMessage): void;
  /**
   * Stops observing (the unit tests use it). The content scripts pass none: nothing stops them
   * before their document goes (lib/content/quiet-context.ts), and in a fresh isolated world
   * every signal used costs start-up.
   */
  signal?: AbortSignal;
  /** Delay that batches dynamically inserted elements into one message. */
  batchMs?: number;
}

// Per page, so a page that inserts elements in a loop cannot make the extension do unbounded work.
export const MAX_SCRIPTS_PER_PAGE = 2000;
export const MAX_FORMS_PER_PAGE = 200;
export const MAX_FRAMES_PER_PAGE = 200;
export const MAX_VIOLATIONS_PER_PAGE = 200;
/** Inline scripts longer than this are hashed on their first part only (and say so by length). */
const MAX_HASHED_CHARS = 512 * 1024;
const JS_TYPES = new Set(['', 'text/javascript', 'application/javascript', 'module', 'text/ecmascript', 'application/ecmascript']);

/**
 * A URL within the message bounds. A page can make any URL it controls (its own, via
 * history.replaceState, or a script's) longer than the bound; such a URL is cut to origin and
 * path (sanitiseUrl caps that too) instead of being dropped, so length is no way to hide.
 */
function boundedUrl(url: string): string {
  return url.length <= LIMITS.url ? url : originAndPath(url);
}

function scriptRef(element: HTMLScriptElement, dynamic: boolean): ScriptRef | undefined {
  if (!JS_TYPES.has((element.getAttribute('type') ?? '').trim().toLowerCase())) return undefined;
  // `src` is the resolved absolute URL; reading the property (not the attribute) resolves <base>.
  const src = boundedUrl(element.src);
  if (src) {
    return { src, integrity: element.hasAttribute('integrity'), ...(dynamic ? { dynamic } : {}) };
  }
  const text = element.text;
  if (!text.trim()) return undefined;
  const hashed = text.length > MAX_HASHED_CHARS ? `${text.slice(0, MAX_HASHED_CHARS)}\u0000${text.length}` : text;
  return { inlineSha256: sha256HexOfText(hashed), preview: text.trim().slice(0, LIMITS.preview), ...(dynamic ? { dynamic } : {}) };
}

function formRef(form: HTMLFormElement, baseUrl: string, hasPassword: boolean): FormRef | undefined {
  // The attribute, not `form.action`: a field named "action" would shadow the property.
  let action: string;
  try {
    action = boundedUrl(new URL(form.getAttribute('action') ?? '', baseUrl).href);
  } catch {
    return undefined;
  }
  if (!/^https?:/.test(action)) return undefined;
  return { action, hasPassword };
}

function frameRef(frame: HTMLIFrameElement): FrameRef | undefined {
  const src = boundedUrl(frame.src);
  if (!/^https?:/.test(src)) return undefined;
  const box = frame.getBoundingClientRect();
  const style = frame.ownerDocument.defaultView?.getComputedStyle(frame);
  // A few pixels is invisible too: a 0×0 frame still draws its default 2px border.
  const hidden =
    box.width <= 4 ||
    box.height <= 4 ||
    box.right < 0 ||
    box.bottom < 0 ||
    style?.display === 'none' ||
    style?.visibility === 'hidden' ||
    Number(style?.opacity ?? 1) === 0;
  return { src, hidden, width: Math.round(box.width), height: Math.round(box.height) };
}

/**
 * Runs in every frame from document_start. On a host not known to be mail or chat it stops at
 * DOMContentLoaded, after the recognisers' selector checks, unless they find a messaging app.
 * Content scripts run in an isolated world (Chrome) or behind Xray vision (Firefox), so page code
 * that overrides DOM prototypes does not change what this code reads.
 */
export function observePage(deps: PageObserverDeps): Promise<void> {
  const { document, signal } = deps;
  // CSP violations can fire before the page is known to be mail: buffer a bounded few meanwhile.
  const violations: CspViolation[] = [];
  let violationsSeen = 0;
  let flushSoon = () => {};
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      // Page code can dispatch synthetic violation events; only the browser's own are evidence.
      if (!event.isTrusted || ++violationsSeen > MAX_VIOLATIONS_PER_PAGE) return;
      violations.push({
        blockedUrl: String(event.blockedURI).slice(0, LIMITS.url),
        directive: String(event.effectiveDirective || event.violatedDirective).slice(0, LIMITS.directive),
        ...(event.sample ? { sample: String(event.sample).slice(0, LIMITS.preview) } : {}),
      });
      flushSoon();
    },
    signal ? { capture: true, signal } : true,
  );

  // The inventory runs inside the DOMContentLoaded listener itself, not in a promise continuation
  // after it: the same work, but a trace then shows it as the script's own (bench/content-script.ts).
  const observeParsedPage = () => {
    const url = deps.location.href;
    const recognised = deps.recognise?.(document);
    if (deps.recognise && !recognised) return;

    let scriptsReported = 0;
    const scripts: ScriptRef[] = [];
    // Indexed, not for…of: the iterator protocol over a live HTMLCollection is the slower path.
    const addScripts = (elements: ArrayLike<HTMLScriptElement>, dynamic: boolean) => {
      for (let i = 0, n = elements.length; i < n; i++) {
        if (scriptsReported >= MAX_SCRIPTS_PER_PAGE) return;
        const element = elements[i];
        const ref = element && scriptRef(element, dynamic);
        if (ref) {
          scripts.push(ref);
          scriptsReported++;
        }
      }
    };

    const formsReported = new Set<string>();
    const collectNewForms = (): FormRef[] => {
      const refs: FormRef[] = [];
      // One walk of the document for password fields, not one per form: a webmail often wraps its
      // whole message list (thousands of nodes) in a form. `input.form` also follows form="…".
      const formsWithPassword = new Set<HTMLFormElement | null>();
      for (const input of document.querySelectorAll<HTMLInputElement>('input[type="password" i]')) formsWithPassword.add(input.form);
      for (const form of document.forms as unknown as Iterable<HTMLFormElement>) {
        if (formsReported.size >= MAX_FORMS_PER_PAGE) break;
        const ref = formRef(form, document.baseURI, formsWithPassword.has(form));
        const key = ref && `${ref.action}|${ref.hasPassword}`;
        if (ref && key && !formsReported.has(key)) {
          formsReported.add(key);
          refs.push(ref);
        }
      }
      return refs;
    };

    // Frames are judged at flush time, after layout, so their visible size is known.
    const pendingFrames = new Set<HTMLIFrameElement>();
    let framesSeen = 0;
    const addFrame = (frame: HTMLIFrameElement) => {
      if (framesSeen++ < MAX_FRAMES_PER_PAGE) pendingFrames.add(frame);
    };
    const frames = document.getElementsByTagName('iframe');
    for (let i = 0, n = frames.length; i < n; i++) addFrame(frames[i]!);

    const take = <T>(items: T[], limit: number): T[] => items.splice(0, limit);
    const takeParts = (forms: FormRef[], frames: FrameRef[]): PageParts => ({
      scripts: take(scripts, LIMITS.scriptsPerMessage),
      forms: take(forms, LIMITS.formsPerMessage),
      frames: take(frames, LIMITS.framesPerMessage),
      violations: take(violations, LIMITS.violationsPerMessage),
    });

    addScripts(document.scripts as HTMLCollectionOf<HTMLScriptElement>, false);
    deps.send({ type: 'page-observed', url: boundedUrl(url), ...takeParts(collectNewForms(), []), ...(recognised ? { recognisedAs: recognised } : {}) });

    let formsMayHaveChanged = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const forms = formsMayHaveChanged ? collectNewForms() : [];
      formsMayHaveChanged = false;
      const frames = [...pendingFrames].map(frameRef).filter((f): f is FrameRef => f !== undefined);
      pendingFrames.clear();
      while (scripts.length || forms.length || frames.length || violations.length) {
        deps.send({ type: 'elements-added', url: boundedUrl(deps.location.href), ...takeParts(forms, frames) });
      }
    };
    flushSoon = () => {
      if (timer === undefined && !signal?.aborted) timer = setTimeout(flush, deps.batchMs ?? 500);
    };
    if (scripts.length || pendingFrames.size || violations.length) flushSoon();

    const observer = new MutationObserver((mutations) => {
      const added: HTMLScriptElement[] = [];
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (node.nodeName === 'SCRIPT') added.push(node as HTMLScriptElement);
          else if (node.nodeName === 'IFRAME') addFrame(node as HTMLIFrameElement);
          // Forms are rescanned once per batch from document.forms, however many nodes arrive.
          else if (node.nodeType === 1) formsMayHaveChanged = formsReported.size < MAX_FORMS_PER_PAGE;
        }
      }
      addScripts(added, true);
      if (scripts.length || pendingFrames.size || formsMayHaveChanged) flushSoon();
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    // A tab closed or navigated away within the batch delay would take the batch with it.
    document.defaultView?.addEventListener(
      'pagehide',
      () => {
        if (timer === undefined) return;
        clearTimeout(timer);
        flush();
      },
      signal ? { signal } : undefined,
    );
    signal?.addEventListener('abort', () => {
      observer.disconnect();
      if (timer !== undefined) clearTimeout(timer);
    });
  };
  return new Promise<void>((resolve) => {
    whenParsed(document, signal, () => {
      try {
        if (!signal?.aborted) observeParsedPage();
      } finally {
        resolve();
      }
    });
  });
}

/** Runs `then` once the document is parsed (at once if it already is), or when observing stops. */
function whenParsed(document: Document, signal: AbortSignal | undefined, then: () => void): void {
  if (document.readyState !== 'loading') return then();
  document.addEventListener('DOMContentLoaded', then, signal ? { once: true, signal } : { once: true });
  signal?.addEventListener('abort', then, { once: true });
}
