/** At most this many script elements are held between document_start and DOMContentLoaded. */
export const MAX_PARSER_SCRIPTS = 2000;

/** A script the parser ran, as it was when it was about to run, and how it hid since. */
export interface HeldScript {
  element: HTMLScriptElement;
  /** Its text just before it ran: what the parser gave it, whatever it made of itself later. */
  text: string;
  how: 'self-removed' | 'rewritten';
}

/**
 * Inline scripts the HTML parser is about to run while the document loads, held from
 * document_start to DOMContentLoaded with their text, so that one that removes its own element
 * before the DOMContentLoaded inventory (or has it removed), or rewrites its own text, is still
 * seen as the parser ran it.
 *
 * `see` takes each batch of a MutationObserver on the whole document (childList, subtree) that
 * runs from document_start: the page observer's own, which goes on to watch for dynamic elements
 * once the document is parsed (one observer, not two: each costs start-up). The parser performs a
 * microtask checkpoint just before it runs a script (HTML, "An end tag whose tag name is
 * 'script'"), so a batch comes right then, and the last mutation it is told of is the parser
 * putting the script's text into the element. Only that last record of each batch is read: reading
 * every record (on the benchmark's 5,000-element page, about 10,000 parser insertions in some 60
 * batches) costs several milliseconds in an isolated world, and only a script element that was
 * about to run matters here. External scripts are not held: the background's network inventory
 * sees their requests (lib/background/network-inventory.ts).
 *
 * `take` returns the held scripts that are no longer in the document, or no longer carry the text
 * they ran with.
 */
export function holdParserScripts(): { see(records: readonly MutationRecord[]): void; take(): HeldScript[] } {
  const held = new Map<HTMLScriptElement, string>();
  return {
    see(records) {
      const target = records[records.length - 1]?.target as HTMLScriptElement | undefined;
      if (target?.nodeName === 'SCRIPT' && !held.has(target) && held.size < MAX_PARSER_SCRIPTS) held.set(target, target.text);
    },
    take() {
      const hidden: HeldScript[] = [];
      for (const [element, text] of held) {
        if (!element.isConnected) hidden.push({ element, text, how: 'self-removed' });
        else if (element.text !== text) hidden.push({ element, text, how: 'rewritten' });
      }
      return hidden;
    },
  };
}
