import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { MAX_SCRIPTS_PER_PAGE, observePage } from '@/lib/content/page-observer';
import { sha256Hex } from '@/lib/core/hash';
import { LIMITS, validateContentMessage, type ContentMessage } from '@/lib/messages';
import { recogniseMessagingPage } from '@/lib/core/sites/recognise';

const ROUNDCUBE = `<!doctype html><html><head><title>Roundcube Webmail :: Welcome to Roundcube Webmail</title></head><body>
  <form id="login-form"><input type="hidden" name="_token" value="t"><input type="hidden" name="_task" value="login">
  <input id="rcmloginuser" name="_user"><input id="rcmloginpwd" name="_pass" type="password"></form></body></html>`;

/** Which content script runs: `watch` on a known host, `recognise` (the default) anywhere else. */
const KNOWN = 'watch';
async function run(html: string, url: string, script: 'watch' | 'recognise' = 'recognise') {
  const window = new Window({ url });
  window.document.write(html);
  const sent: ContentMessage[] = [];
  const controller = new AbortController();
  await observePage({
    document: window.document as unknown as Document,
    location: window.location,
    ...(script === 'recognise' ? { recognise: (document: Document) => recogniseMessagingPage(document)?.id } : {}),
    send: (m) => sent.push(m),
    signal: controller.signal,
    batchMs: 5,
  });
  return { window, sent, controller };
}

describe('observePage', () => {
  it('sends nothing from a page that is not mail or chat', async () => {
    const { sent } = await run('<title>News</title><script src="https://ads.example/x.js"></script>', 'https://news.example.com/');
    expect(sent).toEqual([]);
  });

  it('reports a recognised Roundcube page with its scripts', async () => {
    const html = ROUNDCUBE.replace('</head>', '<script src="/program/js/app.min.js" integrity="sha384-x"></script><script>var x=1</script><script type="application/json">{"a":1}</script></head>');
    const { sent } = await run(html, 'https://mail.example.org/');
    expect(sent).toEqual([
      {
        type: 'page-observed',
        url: 'https://mail.example.org/',
        recognisedAs: 'roundcube',
        scripts: [
          { src: 'https://mail.example.org/program/js/app.min.js', integrity: true },
          { inlineSha256: sha256Hex('var x=1'), preview: 'var x=1' },
        ],
        forms: [{ action: 'https://mail.example.org/', hasPassword: true }],
        frames: [],
        violations: [],
      },
    ]);
  });

  it('tells which forms carry a password field, including fields tied to a form by form="…"', async () => {
    const html = `<title>x</title><form id="search" action="/search"><input name="q"></form>
      <form id="login" action="/login"><div><input type="password" name="p"></div></form>
      <form id="outside" action="/other"></form><input type="password" form="outside">`;
    const { sent } = await run(html, 'https://mail.example.org/', KNOWN);
    expect(sent[0]?.forms).toEqual([
      { action: 'https://mail.example.org/search', hasPassword: false },
      { action: 'https://mail.example.org/login', hasPassword: true },
      { action: 'https://mail.example.org/other', hasPassword: true },
    ]);
  });

  it('sends what is waiting in the batch when the page goes away', async () => {
    const { window, sent } = await run('<title>x</title>', 'https://mail.example.org/', KNOWN);
    const script = window.document.createElement('script');
    script.setAttribute('src', 'https://cdn.evil.test/late.js');
    window.document.head.appendChild(script);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(1);
    window.dispatchEvent(new window.Event('pagehide'));
    expect(sent.at(-1)).toMatchObject({ type: 'elements-added', scripts: [{ src: 'https://cdn.evil.test/late.js', dynamic: true }] });
  });

  it('batches scripts inserted later into one message', async () => {
    const { window, sent, controller } = await run('<title>x</title>', 'https://mail.example.org/', KNOWN);
    for (let i = 0; i < 3; i++) {
      const script = window.document.createElement('script');
      script.setAttribute('src', `https://cdn.evil.test/${i}.js`);
      window.document.head.appendChild(script);
    }
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(sent.map((m) => m.type)).toEqual(['page-observed', 'elements-added']);
    expect(sent[1]!.scripts).toHaveLength(3);
    expect(sent[1]!.scripts.every((s) => s.dynamic)).toBe(true);
  });

  it('finds scripts and frames inside an element added later, not only elements added themselves', async () => {
    const { window, sent, controller } = await run('<title>x</title>', 'https://mail.example.org/', KNOWN);
    // Page code builds a detached container, fills it, then attaches it: one added node.
    const box = window.document.createElement('div');
    const inner = window.document.createElement('section');
    const script = window.document.createElement('script');
    script.setAttribute('src', 'https://cdn.evil.test/nested.js');
    inner.appendChild(script);
    const frame = window.document.createElement('iframe');
    frame.setAttribute('src', 'https://track.evil.test/frame');
    inner.appendChild(frame);
    box.appendChild(inner);
    window.document.body.appendChild(box);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const added = sent.filter((m) => m.type === 'elements-added');
    expect(added.flatMap((m) => m.scripts)).toMatchObject([{ src: 'https://cdn.evil.test/nested.js', dynamic: true }]);
    expect(added.flatMap((m) => m.frames ?? []).map((f) => f.src)).toEqual(['https://track.evil.test/frame']);
  });

  it('caps a flood of inserted scripts at the per-page limit', async () => {
    const { window, sent, controller } = await run('<title>x</title>', 'https://mail.example.org/', KNOWN);
    for (let i = 0; i < MAX_SCRIPTS_PER_PAGE + 500; i++) {
      const script = window.document.createElement('script');
      script.setAttribute('src', `https://cdn.evil.test/${i}.js`);
      window.document.head.appendChild(script);
    }
    const count = () => sent.reduce((n, m) => n + m.scripts.length, 0);
    // Poll rather than sleep a fixed time: a loaded machine delivers mutation records late.
    for (let waited = 0; count() < MAX_SCRIPTS_PER_PAGE && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const reported = count();
    expect(reported).toBe(MAX_SCRIPTS_PER_PAGE);
    expect(sent.every((m) => m.scripts.length <= LIMITS.scriptsPerMessage)).toBe(true);
    // Running out is itself reported, once.
    expect(sent.filter((m) => m.scriptBudgetExceeded)).toHaveLength(1);
  });

  it('still names a payload that filler pushed past the budget, and says the budget ran out', async () => {
    const filler = '<script src="data:,"></script>'.repeat(MAX_SCRIPTS_PER_PAGE);
    const { sent, controller } = await run(`<title>x</title>${filler}<script src="https://cdn.evil.test/payload.js"></script><script>steal()</script>`, 'https://mail.example.org/', KNOWN);
    const count = () => sent.reduce((n, m) => n + m.scripts.length, 0);
    for (let waited = 0; count() <= MAX_SCRIPTS_PER_PAGE && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const scripts = sent.flatMap((m) => m.scripts);
    expect(scripts.filter((s) => s.src === 'data:,')).toHaveLength(MAX_SCRIPTS_PER_PAGE);
    expect(scripts.at(-1)).toMatchObject({ src: 'https://cdn.evil.test/payload.js' });
    expect(sent.filter((m) => m.scriptBudgetExceeded)).toHaveLength(1);
    for (const message of sent) expect(validateContentMessage(message).ok).toBe(true);
  });

  it('inventories every JavaScript type of the HTML standard, and nothing else', async () => {
    const runs = ['text/x-javascript', 'application/x-javascript', 'text/javascript1.3', 'text/jscript', 'text/livescript', 'text/x-ecmascript', 'application/x-ecmascript', ' TEXT/JavaScript ', 'module', ''];
    const inert = ['application/json', 'text/plain', 'text/javascript; charset=utf-8', 'importmap', 'text/template'];
    const tag = (type: string, i: number) => `<script type="${type}">run${i}()</script>`;
    const html = `<title>x</title>${runs.map(tag).join('')}${inert.map((t, i) => tag(t, 100 + i)).join('')}<script language="javascript">lang()</script>`;
    const { sent } = await run(html, 'https://mail.example.org/', KNOWN);
    expect(sent[0]!.scripts.map((s) => s.preview)).toEqual([...runs.map((_, i) => `run${i}()`), 'lang()']);
  });

  it('names code from a data: URL by its first characters', async () => {
    const { sent } = await run('<title>x</title><script src="data:text/javascript,steal(document.cookie)"></script>', 'https://mail.example.org/', KNOWN);
    expect(sent[0]!.scripts).toEqual([{ src: 'data:text/javascript,steal(document.cookie)', integrity: false, preview: 'data:text/javascript,steal(document.cookie)' }]);
  });
});
