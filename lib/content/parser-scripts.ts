/** At most this many inline scripts are held between document_start and DOMContentLoaded. */
export const MAX_PARSER_SCRIPTS = 2000;

/**
 * An inline script that ran while the document loaded and that the DOMContentLoaded walk of
 * `document.scripts` cannot see as it ran: gone, rewritten, or an SVG script (which that
 * collection never holds).
 */
export interface HeldScript {
  element: Element;
  /** Its text as it ran: what the parser gave it, whatever it made of itself later. */
  text: string;
  how: 'self-removed' | 'rewritten' | 'svg';
}

/** An HTML or SVG script element (an SVG one's nodeName is lower-case). */
export const isScriptElement = (node: Node): node is Element => node.nodeName === 'SCRIPT' || node.nodeName === 'script';

/**
 * Inline scripts that run while the document loads, held from document_start to DOMContentLoaded
 * with the text they ran with, so that one that removes its own element (or has it removed),
 * rewrites its text, or is an SVG script, is still inventoried as it ran.
 *
 * `see` takes each batch of a MutationObserver on the whole document (childList, subtree) that
 * runs from document_start: the page observer's own, which goes on to watch for dynamic elements
 * once the document is parsed (one observer, not two: each costs start-up). Two moments matter:
 * - Before the parser runs a script it performs a microtask checkpoint (HTML, "An end tag whose
 *   tag name is 'script'"), so a batch comes right then, and its last record is the parser putting
 *   the script's text into the element: the script is held as it is about to run. Only that last
 *   record is read: on the benchmark's 5,000-element page the parser makes about 10,000 records in
 *   some 60 batches, and reading them all costs several milliseconds in an isolated world.
 * - After a script ran, the microtasks it queued run while `document.currentScript` still names
 *   it (Chromium and Firefox alike), so page code's own mutations come in a batch of their own,
 *   read whole: a script it removed or rewrote is taken from there. That covers what the first
 *   moment cannot: a script written by document.write (run inside another script, with no
 *   checkpoint before it) and scripts that page code added and removed. Once the HTML is parsed
 *   (the browser's readystatechange to "interactive"), every batch is page code's (deferred and
 *   module scripts, which have no `currentScript`) and is read whole too; the parser's last
 *   insertions, still undelivered then, are dropped unread (`dropPending`, the observer's takeRecords).
 * Reading `currentScript` when it is null makes no wrapper, so the parser's own batches cost no more.
 * External scripts are not held: the background's network inventory sees their requests
 * (lib/background/network-inventory.ts).
 *
 * `take` returns the held scripts that were removed or rewritten since they ran, and SVG scripts.
 */
export function holdParserScripts(document: Document, dropPending: () => void): { see(records: readonly MutationRecord[]): void; take(): HeldScript[] } {
  // Each script with the text it first ran with (or had when first seen): later changes are what hid.
  const held = new Map<Element, string>();
  const hold = (element: Element, text: string) => {
    if (!held.has(element) && held.size < MAX_PARSER_SCRIPTS && !element.hasAttribute('src') && !element.hasAttribute('href') && !element.hasAttribute('xlink:href')) held.set(element, text);
  };
  let parsed = false;
  // Page code can dispatch a readystatechange of its own: only the browser's counts. On the window,
  // in the capture phase, registered before any page script: no page listener can stop it first.
  (document.defaultView ?? document).addEventListener(
    'readystatechange',
    (event) => {
      if (parsed || !event.isTrusted || document.readyState === 'loading') return;
      dropPending();
      parsed = true;
    },
    true,
  );
  const readPageCodeBatch = (records: readonly MutationRecord[]) => {
    for (const record of records) {
      const removed = record.removedNodes;
      if (!removed.length) continue;
      if (isScriptElement(record.target)) {
        // The text nodes taken out of a script: its text as it ran (or as a rewrite before left it).
        let text = '';
        for (const node of removed) if (node.nodeType === 3) text += (node as Text).data;
        if (text.trim()) hold(record.target, text);
        continue;
      }
      for (const node of removed) {
        if (node.nodeType !== 1) continue;
        // A container removed with the script inside it hides the script as well.
        const scripts = isScriptElement(node) ? [node] : (node as Element).firstElementChild ? (node as Element).querySelectorAll('script') : [];
        for (const script of scripts) hold(script, script.textContent ?? '');
      }
    }
  };
  return {
    see(records) {
      if (parsed || document.currentScript) return readPageCodeBatch(records);
      const target = records[records.length - 1]?.target;
      if (target && isScriptElement(target)) hold(target, target.textContent ?? '');
    },
    take() {
      const found: HeldScript[] = [];
      for (const [element, text] of held) {
        if (!element.isConnected) found.push({ element, text, how: 'self-removed' });
        else if (element.textContent !== text) found.push({ element, text, how: 'rewritten' });
        else if (element.nodeName === 'script') found.push({ element, text, how: 'svg' });
      }
      return found;
    },
  };
}
