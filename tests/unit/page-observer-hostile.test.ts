/**
 * The content script against page code that tries to hide from it or forge its input: URLs longer
 * than the message bounds, and synthetic CSP violation events. (The same pages run in a real
 * browser in tests/e2e/reliability.test.ts.)
 */
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { observePage } from '@/lib/content/page-observer';
import { LIMITS, validateContentMessage, type ContentMessage } from '@/lib/messages';

const LONG = 'a'.repeat(200_000);

async function observe(url: string, html: string) {
  const window = new Window({ url });
  window.document.write(html);
  const sent: ContentMessage[] = [];
  const controller = new AbortController();
  const done = observePage({
    document: window.document as unknown as Document,
    location: window.location,
    // The watch script's way: mail.example.org is a known host, so no recogniser runs.
    send: (m) => sent.push(m),
    signal: controller.signal,
    batchMs: 5,
  });
  return { window, sent, controller, done };
}

/**
 * A page on a known mail host whose HTML is still loading, observed as the watch script observes
 * it: `readyState` stays "loading" until the test moves it on.
 */
function observeWhileLoading(html: string, options: { batchMs?: number; unfinishedHtmlMs?: number } = {}) {
  const window = new Window({ url: 'https://mail.example.org/' });
  window.document.write(html);
  const readyState = { value: 'loading' };
  Object.defineProperty(window.document, 'readyState', { get: () => readyState.value, configurable: true });
  const document = window.document as unknown as Document;
  const sent: ContentMessage[] = [];
  const controller = new AbortController();
  const done = observePage({ document, location: window.location, send: (m) => sent.push(m), signal: controller.signal, ...options });
  return { window, document, readyState, sent, controller, done };
}

const settle = () => new Promise((r) => setTimeout(r, 60));

describe('observePage on hostile pages', () => {
  it('reports a page whose own URL is far longer than the message bound, cut to origin and path', async () => {
    const { sent, done } = await observe(`https://mail.example.org/inbox?pad=${LONG}`, '<title>x</title><script src="https://cdn.evil.test/x.js"></script>');
    await done;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('https://mail.example.org/inbox');
    expect(validateContentMessage(sent[0]).ok).toBe(true);
  });

  it('keeps scripts, frames and forms whose URLs are too long, by origin and a capped path', async () => {
    const html = `<title>x</title><script src="https://long.evil.test/${LONG}.js"></script>
      <form action="http://long.evil.test/${LONG}"><input type="password"></form>
      <iframe src="https://long.evil.test/${LONG}" width="0" height="0"></iframe>`;
    const { sent, done, controller } = await observe('https://mail.example.org/', html);
    await done;
    await settle();
    controller.abort();
    const all = { scripts: sent.flatMap((m) => m.scripts), forms: sent.flatMap((m) => m.forms), frames: sent.flatMap((m) => m.frames) };
    expect(all.scripts).toHaveLength(1);
    expect(all.scripts[0]!.src!.startsWith('https://long.evil.test/aaa')).toBe(true);
    expect(all.forms).toEqual([{ action: expect.stringMatching(/^http:\/\/long\.evil\.test\/a+$/), hasPassword: true }]);
    expect(all.frames.map((f) => f.src.slice(0, 26))).toEqual(['https://long.evil.test/aaa']);
    for (const message of sent) expect(validateContentMessage(message).ok).toBe(true);
    for (const url of [...all.scripts.map((s) => s.src!), ...all.forms.map((f) => f.action), ...all.frames.map((f) => f.src)])
      expect(url.length).toBeLessThanOrEqual(LIMITS.url);
  });

  it('ignores CSP violation events that page code dispatches itself', async () => {
    const { window, sent, done, controller } = await observe('https://mail.example.org/', '<title>x</title>');
    const forged = new window.Event('securitypolicyviolation') as unknown as Record<string, unknown>;
    Object.assign(forged, { blockedURI: 'https://forged.evil.test/x.js', effectiveDirective: 'script-src-elem', violatedDirective: 'script-src-elem' });
    window.document.dispatchEvent(forged as unknown as InstanceType<typeof window.Event>);
    await done;
    await settle();
    controller.abort();
    expect(sent.flatMap((m) => m.violations)).toEqual([]);
  });

  it('waits for the browser\'s own DOMContentLoaded, and marks scripts that came after a forged one', async () => {
    const { window, sent, controller, done } = observeWhileLoading('<title>x</title><script>app()</script>', { batchMs: 5, unfinishedHtmlMs: 50 });
    window.document.dispatchEvent(new window.Event('DOMContentLoaded', { bubbles: true }));
    const injected = window.document.createElement('script');
    injected.textContent = 'keylog()';
    window.document.body.appendChild(injected);
    // The forged event started nothing; the inventory came from the bounded wait instead.
    expect(sent).toEqual([]);
    await done;
    controller.abort();
    expect(sent[0]!.scripts.map((s) => [s.preview, s.hidden, s.dynamic])).toEqual([
      ['app()', undefined, undefined],
      ['keylog()', 'synthetic-load', undefined],
    ]);
  });

  it("starts the inventory at the browser's DOMContentLoaded even when page code stops that event at the window", async () => {
    // A fallback far away, so that only the event itself can start the inventory in time.
    const { window, sent, controller, done } = observeWhileLoading('<title>x</title><script>app()</script>', { batchMs: 5, unfinishedHtmlMs: 60_000 });
    // Page code runs after the content script (document_start) and stops the event for everyone after it.
    window.addEventListener('DOMContentLoaded', (event) => event.stopImmediatePropagation(), true);
    const parsed = new window.Event('DOMContentLoaded', { bubbles: true });
    Object.defineProperty(parsed, 'isTrusted', { value: true });
    window.document.dispatchEvent(parsed);
    const outcome = await Promise.race([done.then(() => 'inventoried'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000))]);
    controller.abort();
    expect(outcome).toBe('inventoried');
    expect(sent[0]!.scripts.map((s) => s.preview)).toEqual(['app()']);
  });

  it('still reports inline code the parser ran whose element was gone, or whose text was rewritten, before DOMContentLoaded', async () => {
    const { window, sent, controller, done } = observeWhileLoading('<title>x</title><script>app()</script><div id="deep"><div></div></div>', { unfinishedHtmlMs: 50 });
    // What the parser does: the element, then its text, then a microtask checkpoint before it runs
    // the script, which removes its own element.
    const parent = window.document.querySelector('#deep div')!;
    const parserRuns = async (code: string, then: (script: HTMLScriptElement) => void) => {
      const script = window.document.createElement('script') as unknown as HTMLScriptElement;
      parent.appendChild(script as never);
      script.appendChild(window.document.createTextNode(code) as never);
      await Promise.resolve();
      then(script);
    };
    await parserRuns('keylog(); document.currentScript.remove()', (s) => s.remove());
    // Blanked, then gone: still reported with the text it ran with.
    await parserRuns('blank(); document.currentScript.text = ""; document.currentScript.remove()', (s) => {
      s.text = '';
      s.remove();
    });
    await parserRuns('rewrite(); document.currentScript.text = "app()"', (s) => {
      s.text = 'app()';
    });
    // And one that stays, which the DOMContentLoaded walk finds as ever: reported once.
    const stays = window.document.createElement('script');
    parent.appendChild(stays);
    stays.appendChild(window.document.createTextNode('stays()'));
    await Promise.resolve();
    await done;
    controller.abort();
    expect(sent[0]!.scripts.map((s) => [s.preview, s.hidden])).toEqual([
      ['app()', undefined],
      ['app()', undefined],
      ['stays()', undefined],
      ['keylog(); document.currentScript.remove()', 'self-removed'],
      ['blank(); document.currentScript.text = ""; document.currentScript.remove()', 'self-removed'],
      ['rewrite(); document.currentScript.text = "app()"', 'rewritten'],
    ]);
    expect(validateContentMessage(sent[0]).ok).toBe(true);
  });

  // What a browser does around a script that runs while the HTML loads: the microtasks it queued,
  // MutationObserver callbacks included, run while document.currentScript still names it.
  async function whileRunning(document: Document, script: Element, run: () => void) {
    Object.defineProperty(document, 'currentScript', { value: script, configurable: true });
    run();
    await Promise.resolve();
    Object.defineProperty(document, 'currentScript', { value: null, configurable: true });
  }
  const trusted = <E extends Event>(event: E): E => Object.defineProperty(event, 'isTrusted', { value: true });

  it('reports scripts that page code removed while the HTML loaded, which the parser never held: document.write, containers, rewrites', async () => {
    const { document, sent, controller, done } = observeWhileLoading('<title>x</title><div id="deep"><div></div></div>', { unfinishedHtmlMs: 50 });
    const deep = document.querySelector('#deep div')!;
    const outer = document.createElement('script');
    outer.text = 'document.write(payload)';
    deep.appendChild(outer);
    // document.write runs the written script at once, inside the outer one: no checkpoint before it
    // (nothing is held), and it removes itself.
    await whileRunning(document, outer, () => {
      const written = document.createElement('script');
      written.text = 'written(); document.currentScript.remove()';
      deep.appendChild(written);
      written.remove();
    });
    // A script that takes a container away with another script in it.
    const box = document.createElement('section');
    box.innerHTML = '<p><script>boxed()</script></p>';
    deep.appendChild(box);
    const remover = document.createElement('script');
    remover.text = 'document.querySelector("section").remove()';
    deep.appendChild(remover);
    await whileRunning(document, remover, () => box.remove());
    // A script that empties another one (set while the HTML loads: before the parser held it).
    const victim = document.createElement('script');
    victim.text = 'victim()';
    deep.appendChild(victim);
    const blanker = document.createElement('script');
    blanker.text = 'blank()';
    deep.appendChild(blanker);
    await whileRunning(document, blanker, () => (victim.text = ''));
    await done;
    controller.abort();
    const hidden = sent[0]!.scripts.filter((s) => s.hidden).map((s) => [s.preview, s.hidden]);
    expect(hidden).toEqual([
      ['written(); document.currentScript.remove()', 'self-removed'],
      ['boxed()', 'self-removed'],
      ['victim()', 'rewritten'],
    ]);
    expect(validateContentMessage(sent[0]).ok).toBe(true);
  });

  it('reports an inline SVG script the parser ran, which document.scripts never holds, and SVG scripts added later', async () => {
    const { document, readyState, sent, controller, done } = observeWhileLoading('<title>x</title><svg id="pic"></svg>', { unfinishedHtmlMs: 50, batchMs: 5 });
    // As in browsers, whose document.scripts holds HTML script elements only (happy-dom's holds SVG ones too).
    Object.defineProperty(document, 'scripts', { get: () => [...document.getElementsByTagName('script')].filter((e) => e.nodeName === 'SCRIPT') });
    const SVG = 'http://www.w3.org/2000/svg';
    const script = document.createElementNS(SVG, 'script');
    document.querySelector('#pic')!.appendChild(script);
    script.appendChild(document.createTextNode('svgImplant()'));
    await Promise.resolve();
    await done;
    readyState.value = 'complete';
    expect(sent[0]!.scripts).toEqual([expect.objectContaining({ preview: 'svgImplant()', hidden: 'svg', inlineSha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    // After load: an external SVG script, named by its resolved href.
    const later = document.createElementNS(SVG, 'script');
    later.setAttribute('href', '/x.js');
    document.querySelector('#pic')!.appendChild(later);
    for (let waited = 0; sent.length < 2 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(sent[1]).toMatchObject({ type: 'elements-added', scripts: [{ src: 'https://mail.example.org/x.js', dynamic: true }] });
  });

  it('reads every mutation once the HTML is parsed (a module removing itself), and only from the browser\'s own readystatechange', async () => {
    for (const trustedEvent of [true, false]) {
      const { window, document, readyState, sent, controller, done } = observeWhileLoading('<title>x</title><div id="deep"></div>', { unfinishedHtmlMs: 200 });
      // A module script appended by page code (so the parser watch never held it) while loading…
      const module = document.createElement('script');
      module.type = 'module';
      module.text = 'moduleImplant(); document.querySelector("script[type=module]").remove()';
      document.querySelector('#deep')!.appendChild(module);
      document.querySelector('#deep')!.appendChild(document.createElement('p'));
      await Promise.resolve();
      readyState.value = 'interactive';
      const change = new window.Event('readystatechange');
      document.dispatchEvent(trustedEvent ? trusted(change as unknown as Event) : (change as unknown as Event));
      // …runs once the HTML is parsed, with no currentScript, and removes itself.
      module.remove();
      await Promise.resolve();
      await done;
      controller.abort();
      const hidden = sent[0]!.scripts.filter((s) => s.hidden === 'self-removed').map((s) => s.preview);
      expect(hidden, trustedEvent ? 'the browser\'s event' : 'a forged event').toEqual(trustedEvent ? ['moduleImplant(); document.querySelector("script[type=module]").remove()'] : []);
    }
  });

  it('takes the inventory of a document whose HTML never finishes', async () => {
    const { sent, controller, done } = observeWhileLoading('<title>x</title><script src="https://cdn.evil.test/x.js"></script>', { unfinishedHtmlMs: 20 });
    await done;
    controller.abort();
    expect(sent[0]).toMatchObject({ type: 'page-observed', scripts: [{ src: 'https://cdn.evil.test/x.js' }] });
  });

  it('splits a backlog of inserted scripts into even messages, leaving no small tail to be judged one by one', async () => {
    const { window, sent, done, controller } = await observe('https://mail.example.org/', '<title>x</title>');
    await done;
    // 1,802 at once: 200 per message would leave a last message of 2 scripts, under the flood bar.
    for (let i = 0; i < 1802; i++) {
      const script = window.document.createElement('script');
      script.src = `https://f${i}.flood.test/x.js`;
      window.document.head.appendChild(script);
    }
    // Until all of them are sent (a loaded machine runs the batch timer late), then a little more.
    const sentScripts = () => sent.reduce((n, m) => n + (m.type === 'elements-added' ? m.scripts.length : 0), 0);
    for (let waited = 0; sentScripts() < 1802 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await settle();
    controller.abort();
    const sizes = sent.filter((m) => m.type === 'elements-added').map((m) => m.scripts.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1802);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMITS.scriptsPerMessage);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(180);
  });

  it('reports a srcdoc frame for the page that made it, its scripts marked as such', async () => {
    const window = new Window({ url: 'https://mail.example.org/?_task=mail' });
    window.document.write('<base href="https://mail.example.org/?_task=mail"><title>x</title><script>fromSrcdoc()</script>');
    const sent: ContentMessage[] = [];
    const controller = new AbortController();
    await observePage({ document: window.document as unknown as Document, location: { href: 'about:srcdoc' }, send: (m) => sent.push(m), signal: controller.signal });
    controller.abort();
    expect(sent[0]).toMatchObject({ url: 'https://mail.example.org/?_task=mail', scripts: [{ preview: 'fromSrcdoc()', hidden: 'srcdoc' }] });
    expect(validateContentMessage(sent[0]).ok).toBe(true);
  });
});
