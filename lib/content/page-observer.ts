import { holdParserScripts, isScriptElement, type HeldScript } from './parser-scripts';
import { sha256HexOfText } from '../core/sha256';
import type { ContentMessage, PageParts } from '../messages';
import { LIMITS, evenShare } from '../core/limits';
import type { CspViolation, FormRef, FrameRef, ScriptRef } from '../core/observations';
import { originAndPath } from '../core/url';

export interface PageObserverDeps {
  document: Document;
  location: { href: string };
  /**
   * For a page on a host not known to be mail or chat, whose response hinted at a self-hosted app
   * (the recogniser is injected only there: lib/background/recognition.ts): the id of the
   * messaging app its DOM shows, if any. Absent in the watch script, registered because the host
   * is known (lib/background/content-scripts.ts), so a mail page pays for no recogniser and no
   * storage read.
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
  /** How long to wait for the end of the HTML before taking the inventory anyway. */
  unfinishedHtmlMs?: number;
}

// Per page, so a page that inserts elements in a loop cannot make the extension do unbounded work.
export const MAX_SCRIPTS_PER_PAGE = LIMITS.scriptsPerPage;
export const MAX_FORMS_PER_PAGE = 200;
export const MAX_FRAMES_PER_PAGE = 200;
export const MAX_VIOLATIONS_PER_PAGE = 200;
/** Origins still reported after the script budget ran out, so a payload behind filler is named. */
export const MAX_ORIGINS_PAST_BUDGET = 64;
/** A document still loading after this long has its inventory taken anyway (HTML held open). */
export const UNFINISHED_HTML_MS = 4000;
/** Inline scripts longer than this are hashed on their first part only (and say so by length). */
const MAX_HASHED_CHARS = 512 * 1024;
/**
 * Every JavaScript MIME type of the HTML standard (application/ and text/ ecmascript, javascript
 * and their x- forms, text/javascript1.0–1.5, text/jscript, text/livescript), plus "module" and
 * the empty type. A pattern rather than a set of eighteen strings: the content script's size is
 * part of its start-up.
 */
const JS_TYPE = /^(?:(?:text|application)\/(?:x-)?(?:java|ecma)script|text\/(?:javascript1\.[0-5]|jscript|livescript)|module|)$/;

/**
 * Whether the browser runs this element as script (HTML, "prepare the script element", step 8).
 * An element without a type is counted even when a `language` attribute names something else: a
 * browser would not run it, but reading that attribute on every script costs start-up and
 * counting an inert element costs nothing.
 */
function runsAsScript(element: Element): boolean {
  const type = element.getAttribute('type');
  return type === null || JS_TYPE.test(type.trim().toLowerCase());
}

/** How code that would have escaped the DOM walk was found. */
type HiddenHow = NonNullable<ScriptRef['hidden']>;

/**
 * A URL within the message bounds. A page can make any URL it controls (its own, via
 * history.replaceState, or a script's) longer than the bound; such a URL is cut to origin and
 * path (sanitiseUrl caps that too) instead of being dropped, so length is no way to hide.
 */
function boundedUrl(url: string): string {
  return url.length <= LIMITS.url ? url : originAndPath(url);
}

/** An SVG script's URL (it has no `src`): its href or xlink:href, resolved against its base URL. */
function svgScriptUrl(element: Element): string {
  const href = element.getAttribute('href') ?? element.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
  if (href === null) return '';
  try {
    return new URL(href, element.baseURI).href;
  } catch {
    return '';
  }
}

/**
 * An HTML or SVG script element as reported (an SVG one's nodeName is lower-case). `text`: an
 * inline script's text as it ran, where the element's own may have changed since.
 */
function scriptRef(element: Element, dynamic: boolean, hidden?: HiddenHow, text?: string): ScriptRef | undefined {
  if (!runsAsScript(element)) return undefined;
  const svg = element.nodeName === 'script';
  // `src` is the resolved absolute URL; reading the property (not the attribute) resolves <base>.
  const src = boundedUrl(svg ? svgScriptUrl(element) : (element as HTMLScriptElement).src);
  let ref: ScriptRef;
  if (src) {
    ref = { src, integrity: element.hasAttribute('integrity') };
    // Code without an origin (data:, blob:) is named by its first characters.
    if (src.startsWith('data:') || src.startsWith('blob:')) ref.preview = src.slice(0, LIMITS.preview);
  } else {
    text ??= svg ? (element.textContent ?? '') : (element as HTMLScriptElement).text;
    if (!text.trim()) return undefined;
    const hashed = text.length > MAX_HASHED_CHARS ? `${text.slice(0, MAX_HASHED_CHARS)}\u0000${text.length}` : text;
    ref = { inlineSha256: sha256HexOfText(hashed), preview: text.trim().slice(0, LIMITS.preview) };
  }
  if (dynamic) ref.dynamic = dynamic;
  if (hidden) ref.hidden = hidden;
  return ref;
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

/** What a URL counts as when naming a source: its origin, or the scheme of code without one. */
function sourceKey(src: string): string {
  const scheme = /^(data|blob):/i.exec(src);
  if (scheme) return `${scheme[1]!.toLowerCase()}:`;
  try {
    return new URL(src).origin;
  } catch {
    return src;
  }
}

/**
 * The page's scripts as they are reported. Bounded per page, so a page inserting scripts in a loop
 * cannot make the extension do unbounded work; past the bound, each script from a source not
 * yet named is still reported (a few dozen at most), so filler cannot push a payload out of
 * sight, and running out is itself reported once (`scriptBudgetExceeded`).
 */
function createScriptInventory() {
  const pending: ScriptRef[] = [];
  let reported = 0;
  let exceeded: 'no' | 'pending' | 'sent' = 'no';
  // URLs of the external scripts reported within the budget: their sources are worked out only
  // if the budget runs out, so an ordinary page pays a string push per script, not a URL parse.
  const reportedSrcs: string[] = [];
  let sourcesPastBudget: Set<string> | undefined;
  let newPastBudget = 0;
  const add = (ref: ScriptRef) => {
    if (reported < MAX_SCRIPTS_PER_PAGE) {
      pending.push(ref);
      reported++;
      if (ref.src) reportedSrcs.push(ref.src);
      return;
    }
    if (exceeded === 'no') exceeded = 'pending';
    if (!ref.src) return;
    sourcesPastBudget ??= new Set(reportedSrcs.map(sourceKey));
    const key = sourceKey(ref.src);
    if (sourcesPastBudget.has(key) || newPastBudget >= MAX_ORIGINS_PAST_BUDGET) return;
    sourcesPastBudget.add(key);
    newPastBudget++;
    pending.push(ref);
  };
  return {
    pending,
    add,
    // Indexed, not for…of: the iterator protocol over a live HTMLCollection is the slower path.
    addElements(elements: ArrayLike<Element>, dynamic: boolean, hiddenFrom = Infinity, frameHidden?: HiddenHow) {
      for (let i = 0, n = elements.length; i < n; i++) {
        const element = elements[i];
        if (!element) continue;
        // Past the budget only external code is worth its cost: hashing filler is what it wants.
        if (reported >= MAX_SCRIPTS_PER_PAGE && !element.hasAttribute('src')) {
          if (exceeded === 'no' && runsAsScript(element)) exceeded = 'pending';
          continue;
        }
        const ref = scriptRef(element, dynamic, frameHidden ?? (i >= hiddenFrom ? 'synthetic-load' : undefined));
        if (ref) add(ref);
      }
    },
    /** True once, for the message that first follows the budget running out. */
    takeBudgetNotice(): boolean {
      if (exceeded !== 'pending') return false;
      exceeded = 'sent';
      return true;
    },
    hasBudgetNotice: () => exceeded === 'pending',
  };
}

/**
 * Runs in every frame of a known host from document_start (watch), or, injected once a hinted
 * page is parsed, in its top frame (recognise), which stops after the recognisers' selector
 * checks unless they find a messaging app.
 * Content scripts run in an isolated world (Chrome) or behind Xray vision (Firefox), so page code
 * that overrides DOM prototypes does not change what this code reads.
 */
// One closure on purpose: this is the content script's start-up path, budgeted at 2 ms on a
// 5,000-element page and traced in this shape (docs/benchmarks.md); a split must be re-measured.
// eslint-disable-next-line max-lines-per-function
export function observePage(deps: PageObserverDeps): Promise<void> {
  const { document, signal } = deps;
  // One MutationObserver on the whole document for the script's life. While the document loads, it
  // holds the inline scripts the parser runs, so that one that removes its own element is still
  // inventoried (parser-scripts.ts); once it is parsed, it reports elements page code adds. Held
  // only where the host is known to be mail or chat (no `recognise`): on other hosts the first
  // visits are learnt anyway, and the recogniser is injected once the page is parsed.
  let onRecords: (records: MutationRecord[]) => void = () => {};
  let observer: MutationObserver | undefined;
  const observeDocument = () => {
    observer = new MutationObserver((records) => onRecords(records));
    observer.observe(document, { childList: true, subtree: true });
    return observer;
  };
  const parserScripts = !deps.recognise && document.readyState === 'loading' ? holdParserScripts(document, () => observer?.takeRecords()) : undefined;
  if (parserScripts) {
    onRecords = parserScripts.see;
    observeDocument();
  }
  // CSP violations can fire before the page is known to be mail: buffer a bounded few meanwhile.
  const violations: CspViolation[] = [];
  let violationsSeen = 0;
  let syntheticLoadAt = Infinity;
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
  // eslint-disable-next-line max-lines-per-function -- the start-up path, as observePage above.
  const observeParsedPage = (hiddenWhileLoading: readonly HeldScript[]) => {
    // A srcdoc or about:blank frame has no URL of its own: it counts for the document that made
    // it, whose URL is its base URL (and the background checks that against the sender).
    const href = deps.location.href;
    const ownUrl = !href.startsWith('about:');
    const currentUrl = () => boundedUrl(ownUrl ? deps.location.href : document.baseURI);
    const frameHidden = href === 'about:srcdoc' ? 'srcdoc' : undefined;
    const recognised = deps.recognise?.(document);
    if (deps.recognise && !recognised) return;

    const inventory = createScriptInventory();
    const scripts = inventory.pending;

    const formsReported = new Set<string>();
    const collectNewForms = (): FormRef[] => {
      const refs: FormRef[] = [];
      const forms = document.forms;
      // No form, no password field that belongs to one: the selector walk below is then skipped.
      if (!forms.length) return refs;
      // One walk of the document for password fields, not one per form: a webmail often wraps its
      // whole message list (thousands of nodes) in a form. `input.form` also follows form="…".
      const formsWithPassword = new Set<HTMLFormElement | null>();
      for (const input of document.querySelectorAll<HTMLInputElement>('input[type="password" i]')) formsWithPassword.add(input.form);
      for (let i = 0, n = forms.length; i < n; i++) {
        const form = forms[i]!;
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
    // window.length counts the document's frames (a browsing context for each iframe in it): with
    // none, the walk over the whole document for iframe elements is skipped.
    if (document.defaultView?.length !== 0) {
      const frames = document.getElementsByTagName('iframe');
      for (let i = 0, n = frames.length; i < n; i++) addFrame(frames[i]!);
    }

    const take = <T>(items: T[], limit: number): T[] => items.splice(0, evenShare(items.length, limit));
    const takeParts = (forms: FormRef[], frames: FrameRef[]): PageParts => ({
      scripts: take(scripts, LIMITS.scriptsPerMessage),
      forms: take(forms, LIMITS.formsPerMessage),
      frames: take(frames, LIMITS.framesPerMessage),
      violations: take(violations, LIMITS.violationsPerMessage),
      ...(inventory.takeBudgetNotice() ? { scriptBudgetExceeded: true as const } : {}),
    });

    // An external script whose element removed itself before this walk is not here: the
    // background's network inventory sees its request (lib/background/network-inventory.ts).
    inventory.addElements(document.scripts as HTMLCollectionOf<HTMLScriptElement>, false, syntheticLoadAt, frameHidden);
    // Inline scripts the parser ran that were gone by now, or had rewritten their text (parser-scripts.ts).
    for (const { element, text, how } of hiddenWhileLoading) {
      const ref = scriptRef(element, false, frameHidden ?? how, text);
      if (ref) inventory.add(ref);
    }
    deps.send({ type: 'page-observed', url: boundedUrl(ownUrl ? href : document.baseURI), ...takeParts(collectNewForms(), []), ...(recognised ? { recognisedAs: recognised } : {}) });

    let formsMayHaveChanged = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const forms = formsMayHaveChanged ? collectNewForms() : [];
      formsMayHaveChanged = false;
      const frames = [...pendingFrames].map(frameRef).filter((f): f is FrameRef => f !== undefined);
      pendingFrames.clear();
      while (scripts.length || forms.length || frames.length || violations.length || inventory.hasBudgetNotice()) {
        deps.send({ type: 'elements-added', url: currentUrl(), ...takeParts(forms, frames) });
      }
    };
    // A tab closed or navigated away within the batch delay would take the batch with it. Listened
    // for from the first batch on, not from start-up: most pages never have one, and each listener
    // added in a fresh isolated world costs start-up.
    let flushOnPagehide = false;
    flushSoon = () => {
      if (timer !== undefined || signal?.aborted) return;
      timer = setTimeout(flush, deps.batchMs ?? 500);
      if (flushOnPagehide) return;
      flushOnPagehide = true;
      document.defaultView?.addEventListener(
        'pagehide',
        () => {
          if (timer === undefined) return;
          clearTimeout(timer);
          flush();
        },
        signal ? { signal } : undefined,
      );
    };
    if (scripts.length || pendingFrames.size || violations.length) flushSoon();

    // What the parser inserted before this walk is in it; records of it not yet delivered are dropped.
    observer?.takeRecords();
    onRecords = (mutations) => {
      const added: Element[] = [];
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (node.nodeType !== 1) continue;
          // Forms are rescanned once per batch from document.forms, however many nodes arrive.
          formsMayHaveChanged = formsReported.size < MAX_FORMS_PER_PAGE;
          // A container filled while detached and then attached is one added node: its scripts
          // run and its frames load all the same. The selector takes SVG scripts too.
          for (const element of (node as Element).firstElementChild ? [node as Element, ...(node as Element).querySelectorAll('script,iframe')] : [node as Element]) {
            if (element.nodeName === 'IFRAME') addFrame(element as HTMLIFrameElement);
            else if (isScriptElement(element)) added.push(element);
          }
        }
      }
      // Scripts the parser adds to a document whose HTML has not finished (the inventory was taken
      // early, see whenParsed) are the page's own markup, not page code's.
      inventory.addElements(added, document.readyState !== 'loading', Infinity, frameHidden);
      if (scripts.length || pendingFrames.size || formsMayHaveChanged || inventory.hasBudgetNotice()) flushSoon();
    };
    observer ??= observeDocument();
    signal?.addEventListener('abort', () => {
      observer!.disconnect();
      if (timer !== undefined) clearTimeout(timer);
    });
  };
  return new Promise<void>((resolve) => {
    whenParsed(
      document,
      deps,
      () => {
        try {
          if (signal?.aborted) observer?.disconnect();
          else {
            // Mutations not delivered yet (page code's, once the HTML is parsed) are the watch's to read.
            if (parserScripts && observer) parserScripts.see(observer.takeRecords());
            observeParsedPage(parserScripts?.take() ?? []);
          }
        } finally {
          resolve();
        }
      },
      // Scripts after a DOMContentLoaded the page dispatched itself were placed to look as if
      // page code added them after load: they are marked, not trusted as dynamic.
      () => {
        syntheticLoadAt = Math.min(syntheticLoadAt, document.scripts.length);
      },
    );
  });
}

/**
 * Runs `then` once the document is parsed (at once if it already is), or when observing stops.
 * Only the browser's own DOMContentLoaded counts (page code can dispatch one whenever it likes),
 * and HTML that never finishes (a proxy holding the response open) delays the inventory by a
 * bounded time, not forever. Listens on the window in the capture phase, registered before any
 * page script, so page code cannot stop the event before it arrives.
 */
function whenParsed(document: Document, deps: Pick<PageObserverDeps, 'signal' | 'unfinishedHtmlMs'>, then: () => void, onSynthetic: () => void): void {
  if (document.readyState !== 'loading') return then();
  const { signal } = deps;
  let done = false;
  // Cleared when the document is parsed: a timer that fires is one more entry into this world.
  const deadline = setTimeout(() => run(), deps.unfinishedHtmlMs ?? UNFINISHED_HTML_MS);
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    then();
  };
  // On the window, the first target of the event's path: a listener there registered later (any
  // page script's) cannot stop the event before it reaches this one.
  (document.defaultView ?? document).addEventListener('DOMContentLoaded', (event) => (event.isTrusted ? run() : onSynthetic()), signal ? { capture: true, signal } : true);
  signal?.addEventListener('abort', run, { once: true });
}
