/** At most this many script elements are held between document_start and DOMContentLoaded. */
export const MAX_PARSER_SCRIPTS = 2000;

/**
 * Inline scripts the HTML parser is about to run while the document loads, held from
 * document_start to DOMContentLoaded, so that one that removes its own element before the
 * DOMContentLoaded inventory (or has it removed) is still seen.
 *
 * The parser performs a microtask checkpoint just before it runs a script (HTML, "An end tag whose
 * tag name is 'script'"), so this observer's callback comes right then, and the last mutation it
 * is told of is the parser putting the script's text into the element. Only that last record of
 * each batch is read: reading every record (on the benchmark's 5,000-element page, about 10,000
 * parser insertions in some 60 batches) costs several milliseconds in an isolated world, and
 * only a script element that was about to run matters here. External scripts are not held: the
 * background's network inventory sees their requests (lib/background/network-inventory.ts).
 *
 * `take` ends the watch and returns the held scripts no longer in the document.
 */
export function watchParserScripts(document: Document): { take(): HTMLScriptElement[] } {
  const held: HTMLScriptElement[] = [];
  const observer = new MutationObserver((records) => {
    const target = records[records.length - 1]?.target;
    if (target?.nodeName === 'SCRIPT' && held[held.length - 1] !== target && held.length < MAX_PARSER_SCRIPTS) held.push(target as HTMLScriptElement);
  });
  observer.observe(document, { childList: true, subtree: true });
  return {
    take() {
      observer.disconnect();
      return held.filter((script, i) => !script.isConnected && held.indexOf(script) === i);
    },
  };
}
