/**
 * Takes the place of WXT's `ContentScriptContext` in tapguard's content script (an alias in
 * wxt.config.ts). WXT's context announces every start to the page, with a window message and a
 * document event named after the extension id, and aborts itself when the document sees such an
 * event from "a newer copy of the script": any page that knows the (public) id could learn that
 * tapguard watches it, or switch the watching off with one `dispatchEvent`. This context tells
 * the page nothing, and nothing a page can do aborts it; the script lives as long as its document.
 *
 * It holds only what WXT hands it: tapguard's scripts take nothing from their context (their
 * `main()` has no parameter), and every byte here is loaded on every mail page. A script that
 * needs `signal` or `onInvalidated` must add them here first.
 */
export class ContentScriptContext {
  constructor(
    readonly contentScriptName: string,
    readonly options?: unknown,
  ) {}
}
