/**
 * Takes the place of WXT's `ContentScriptContext` in tapguard's content script (an alias in
 * wxt.config.ts). WXT's context announces every start to the page, with a window message and a
 * document event named after the extension id, and aborts itself when the document sees such an
 * event from "a newer copy of the script": any page that knows the (public) id could learn that
 * tapguard watches it, or switch the watching off with one `dispatchEvent`. This context tells
 * the page nothing, and nothing a page can do aborts it; the script lives as long as its document.
 */
export class ContentScriptContext {
  // Made on first use only: tapguard's scripts never ask for it, and each object of a DOM
  // interface created in a fresh isolated world costs start-up.
  private controller?: AbortController;

  constructor(
    readonly contentScriptName: string,
    readonly options?: unknown,
  ) {}

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  get isValid(): boolean {
    return !this.signal.aborted;
  }

  get isInvalid(): boolean {
    return this.signal.aborted;
  }

  onInvalidated(callback: () => void): () => void {
    this.signal.addEventListener('abort', callback);
    return () => this.signal.removeEventListener('abort', callback);
  }
}
