/**
 * Benchmark and hostile pages of the lab, behind their own paths (`/heavy…`, `/hostile/…` on the
 * mail host; `/bench/ordinary` on the evil host, which is neither mail nor chat), so the ordinary
 * lab pages stay exactly as they are.
 *
 * - `/heavy?nodes=5000&requests=150`: a Roundcube-like inbox with about `nodes` elements and
 *   `requests` small same-origin subresources (a third each scripts, stylesheets, images), for
 *   page-load and content-script benchmarks. `/heavy/app.js` defines `window.labStorm(count)`, a
 *   mutation storm of `count` inserted elements in batches of 100 per task.
 * - `/hostile/<name>`: pages that fight the extension (see HOSTILE below). Each page sets
 *   `data-lab-done="1"` on <html> once its hostile code has finished.
 *
 * - `/bench/ordinary`: an ordinary page with frames and scripts (see ordinaryPage).
 *
 * Every mail-host page carries the Roundcube markers tapguard recognises, so the extension watches it. No
 * inline scripts run (the mail host's CSP is `script-src 'self'`): page code is served from
 * `/heavy/…` and `/hostile/….js`. Nothing here is an attack on anything but the browser tab.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml } from './pages';

export interface BenchResponse {
  status: number;
  body: string | Buffer;
  contentType: string;
}

const HTML = 'text/html; charset=utf-8';
const JS = 'application/javascript';
const CSS = 'text/css; charset=utf-8';
/** A 1×1 transparent GIF. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export const HEAVY_DEFAULTS = { nodes: 5000, requests: 150 } as const;
const MAX_NODES = 50_000;
const MAX_REQUESTS = 500;

function boundedInt(value: string | null, fallback: number, max: number): number {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/** Head with the markers of a real Roundcube install (title, app script, stylesheet). */
function head(title: string, extra = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Roundcube Webmail :: ${escapeHtml(title)}</title>
<link rel="stylesheet" href="/skins/elastic/styles/styles.min.css">
<script src="/program/js/app.min.js?s=1731000000"></script>
${extra}</head>`;
}

/** Body start with the compose button and message list tapguard's Roundcube recogniser looks for. */
function layout(inner: string): string {
  return `<body class="task-mail action-none">
<div id="layout">
<div id="layout-menu" role="navigation"><a id="rcmbtn_compose" class="compose" href="/?_task=mail&amp;_action=compose">Compose</a></div>
<div id="layout-list" role="main">
<table id="messagelist" class="listing messagelist"><tbody>
${inner}
</tbody></table>
<div id="lab-storm"></div>
</div>
</div>
</body>
</html>
`;
}

function messageRows(count: number): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    // 6 elements per row: tr, 2 td, span, a, b.
    rows.push(
      `<tr class="message"><td class="subject"><span class="fromto">Sender ${i}</span> <a href="/?_task=mail&amp;_uid=${i}&amp;_action=show">Message <b>${i}</b></a></td><td class="date">2025-05-01</td></tr>`,
    );
  }
  return rows.join('\n');
}

export function heavyPage(nodes: number, requests: number): string {
  const resources: string[] = [];
  const scripts: string[] = [];
  for (let i = 0; i < requests; i++) {
    if (i % 3 === 0) scripts.push(`<script src="/heavy/r/${i}.js" defer></script>`);
    else if (i % 3 === 1) scripts.push(`<link rel="stylesheet" href="/heavy/r/${i}.css">`);
    else resources.push(`<img src="/heavy/r/${i}.gif" width="1" height="1" alt="">`);
  }
  // About 40 elements of scaffolding, one per request, six per message row.
  const rows = Math.max(0, Math.floor((nodes - 40 - requests) / 6));
  return `${head('Inbox', `<script src="/heavy/app.js" defer></script>\n${scripts.join('\n')}\n`)}
${layout(`${messageRows(rows)}\n<tr><td>${resources.join('')}</td></tr>`)}`;
}

/** Page code of /heavy: the mutation storm, run from the benchmark through `window.labStorm`. */
export const HEAVY_APP_JS = `(function () {
  'use strict';
  window.labStorm = function (count) {
    var target = document.getElementById('lab-storm');
    var done = 0;
    return new Promise(function (resolve) {
      function batch() {
        var end = Math.min(count, done + 100);
        for (; done < end; done++) {
          var div = document.createElement('div');
          div.className = 'storm';
          div.textContent = 'n' + done;
          target.appendChild(div);
        }
        if (done < count) setTimeout(batch, 0);
        else resolve(done);
      }
      batch();
    });
  };
})();
`;

// ---- an ordinary page -----------------------------------------------------------------------------

/** Scripts, frames and images of the ordinary benchmark page (a news article on a non-mail host). */
export const ORDINARY_PARTS = { scripts: 6, frames: 3, images: 10, paragraphs: 40 } as const;

/**
 * `/bench/ordinary` on a host that is neither mail nor chat: what tapguard costs every other page
 * the user opens. A news article as such sites are built: same-origin scripts (some deferred, some
 * async), a stylesheet, images, and frames (an ad slot, a video embed, a comments widget), each
 * frame with a script and an image of its own. Nothing in it resembles webmail or chat.
 */
export function ordinaryPage(): string {
  const { scripts, frames, images, paragraphs } = ORDINARY_PARTS;
  const scriptTags = Array.from({ length: scripts }, (_, i) => `<script src="/bench/o/${i}.js"${i % 2 ? ' async' : ' defer'}></script>`).join('\n');
  const text = Array.from({ length: paragraphs }, (_, i) => `<p>Paragraph ${i} of the article, with <a href="/bench/ordinary?p=${i}">a link</a> and <em>some emphasis</em>.</p>`).join('\n');
  const pictures = Array.from({ length: images }, (_, i) => `<figure><img src="/bench/o/${i}.gif" width="1" height="1" alt=""><figcaption>Picture ${i}</figcaption></figure>`).join('\n');
  const frameTags = Array.from({ length: frames }, (_, i) => `<iframe src="/bench/o/frame-${i}.html" width="300" height="150" title="embed ${i}"></iframe>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local news: the harbour festival</title>
<link rel="stylesheet" href="/bench/o/site.css">
${scriptTags}
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/bench/ordinary?s=local">Local</a> <a href="/bench/ordinary?s=sport">Sport</a></nav></header>
<main><article><h1>The harbour festival</h1>
${text}
${pictures}
</article>
<aside>
${frameTags}
</aside></main>
<footer><p>Lab sample page, inert.</p></footer>
</body>
</html>
`;
}

function ordinaryFrame(n: number): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>embed ${n}</title><script src="/bench/o/frame-${n}.js" defer></script></head>
<body><p>Embedded widget ${n}</p><img src="/bench/o/${n}.gif" width="1" height="1" alt=""></body></html>
`;
}

/** The lab's answer for the ordinary benchmark page and its parts, or undefined for other paths. */
export function ordinaryBenchRoute(path: string): BenchResponse | undefined {
  if (path === '/bench/ordinary') return { status: 200, body: ordinaryPage(), contentType: HTML };
  if (path === '/bench/o/site.css') return { status: 200, body: 'body{font-family:serif;max-width:40em}figure{display:inline-block}\n', contentType: CSS };
  const frame = /^\/bench\/o\/frame-(\d)\.(html|js)$/.exec(path);
  if (frame) {
    const n = Number(frame[1]);
    return frame[2] === 'html' ? { status: 200, body: ordinaryFrame(n), contentType: HTML } : { status: 200, body: `document.body.dataset.widget = '${n}';\n`, contentType: JS };
  }
  const part = /^\/bench\/o\/(\d{1,2})\.(js|gif)$/.exec(path);
  if (part) return part[2] === 'js' ? { status: 200, body: `window.labArticle = (window.labArticle || 0) + 1; /* ${part[1]} */\n`, contentType: JS } : { status: 200, body: GIF, contentType: 'image/gif' };
  return undefined;
}

// ---- hostile pages ------------------------------------------------------------------------------

/** Marks the page finished, for tests waiting on it. */
const DONE = `document.documentElement.setAttribute('data-lab-done', '1');`;
const PARAMS = `var params = new URLSearchParams(location.search);
  var run = (params.get('run') || 'r').replace(/[^a-z0-9]/gi, '').slice(0, 16) || 'r';`;

/**
 * flood: `n` (default 10,000) script elements from distinct origins, inserted 500 per task. The
 * page's CSP refuses every one of them, so the page also floods CSP violations.
 */
const FLOOD_JS = `(function () {
  'use strict';
  ${PARAMS}
  var n = Math.min(Number(params.get('n')) || 10000, 50000);
  var i = 0;
  function step() {
    var end = Math.min(n, i + 500);
    for (; i < end; i++) {
      var s = document.createElement('script');
      s.src = 'https://f' + i + '-' + run + '.flood.test/x.js';
      document.head.appendChild(s);
    }
    if (i < n) setTimeout(step, 0);
    else ${DONE}
  }
  step();
})();
`;

/**
 * huge: the page is served with a 5 MB inline script, inserts another one, and adds a script,
 * frame, form and link whose URLs are 200,000 characters long. It also stretches its own URL to
 * 100,000 characters with history.replaceState before tapguard reads it, and then adds a script
 * from a new origin that must still be reported.
 */
const HUGE_JS = `(function () {
  'use strict';
  ${PARAMS}
  var long = new Array(200001).join('a');
  history.replaceState(null, '', location.pathname + '?run=' + run + '&pad=' + new Array(100001).join('p'));
  function later() {
    var big = document.createElement('script');
    big.text = '/*' + new Array(5 * 1024 * 1024 + 1).join('y') + '*/';
    document.head.appendChild(big);
    var s = document.createElement('script');
    s.src = 'https://long.hostile.test/' + long + '.js';
    document.head.appendChild(s);
    var f = document.createElement('iframe');
    f.src = 'https://long.hostile.test/' + long;
    f.width = '0';
    f.height = '0';
    document.body.appendChild(f);
    var form = document.createElement('form');
    form.setAttribute('action', 'http://long.hostile.test/' + long);
    document.body.appendChild(form);
    var a = document.createElement('a');
    a.href = 'https://long.hostile.test/' + long;
    document.body.appendChild(a);
    var marker = document.createElement('script');
    marker.src = 'https://huge-' + run + '.hostile.test/after.js';
    document.head.appendChild(marker);
    ${DONE}
  }
  setTimeout(later, 300);
})();
`;

/**
 * prototypes: page code that replaces the DOM APIs a naive content script would use, before the
 * content script reads the page, then inserts a script from a new origin. An isolated world
 * (Chrome) or Xray vision (Firefox) keeps tapguard's view of the page intact.
 */
const PROTOTYPES_JS = `(function () {
  'use strict';
  ${PARAMS}
  var create = Document.prototype.createElement;
  var setAttr = Element.prototype.setAttribute;
  var append = Node.prototype.appendChild;
  var setAttrOn = Element.prototype.setAttribute;
  var later = window.setTimeout;
  var apply = Reflect.apply;
  var doc = document;
  var headEl = doc.head;
  var nothing = function () { return null; };
  var none = function () { return []; };
  Element.prototype.querySelector = nothing;
  Element.prototype.querySelectorAll = none;
  Document.prototype.querySelector = nothing;
  Document.prototype.querySelectorAll = none;
  document.querySelector = nothing;
  document.querySelectorAll = none;
  Document.prototype.getElementById = nothing;
  Element.prototype.getAttribute = function () { return 'text/x-not-javascript'; };
  Element.prototype.hasAttribute = function () { return false; };
  window.MutationObserver = function () { return { observe: function () {}, disconnect: function () {}, takeRecords: none }; };
  EventTarget.prototype.addEventListener = function () {};
  EventTarget.prototype.removeEventListener = function () {};
  Object.defineProperty(Document.prototype, 'scripts', { get: none, configurable: true });
  Object.defineProperty(Document.prototype, 'forms', { get: none, configurable: true });
  Object.defineProperty(Document.prototype, 'readyState', { get: function () { return 'loading'; }, configurable: true });
  Object.defineProperty(HTMLScriptElement.prototype, 'src', { get: function () { return ''; }, set: function () {}, configurable: true });
  Object.defineProperty(Node.prototype, 'nodeName', { get: function () { return 'DIV'; }, configurable: true });
  JSON.stringify = function () { return '{"type":"spoofed"}'; };
  JSON.parse = function () { return { type: 'spoofed' }; };
  Array.prototype.push = function () { return 0; };
  Promise.prototype.then = function () { return this; };
  Function.prototype.toString = function () { return 'function () { [native code] }'; };
  String.prototype.slice = function () { return ''; };
  Object.keys = none;
  window.setTimeout = function () { return 0; };
  window.chrome = { runtime: { sendMessage: function () {}, id: 'spoofed' } };
  window.browser = window.chrome;
  later(function () {
    var s = apply(create, doc, ['script']);
    apply(setAttr, s, ['src', 'https://proto-' + run + '.hostile.test/x.js']);
    apply(append, headEl, [s]);
    apply(setAttrOn, doc.documentElement, ['data-lab-done', '1']);
  }, 300);
})();
`;

/**
 * spoof: page code that tries to talk to tapguard or to forge its inputs: window.postMessage with
 * tapguard-shaped payloads, custom events, and synthetic (untrusted) CSP violation events.
 */
const SPOOF_JS = `(function () {
  'use strict';
  ${PARAMS}
  var origin = 'https://spoof-' + run + '.hostile.test';
  var payloads = [
    { type: 'page-observed', url: location.href, scripts: [{ src: origin + '/a.js' }], forms: [], frames: [], violations: [] },
    { type: 'elements-added', url: location.href, scripts: [{ src: origin + '/b.js' }], forms: [], frames: [], violations: [{ blockedUrl: origin + '/c.js', directive: 'script-src-elem' }] },
    { source: 'tapguard', type: 'record', finding: { rule: 'cert.untrusted-root', severity: 'critical', host: location.hostname } },
    { tapguard: true, clear: true },
    'tapguard:clear-log'
  ];
  for (var i = 0; i < 200; i++) {
    window.postMessage(payloads[i % payloads.length], '*');
    document.dispatchEvent(new CustomEvent('tapguard', { detail: payloads[i % payloads.length] }));
  }
  // Few enough (5) that, were they believed, each would be an incident of its own rather than a flood.
  for (var j = 0; j < 5; j++) {
    var init = { blockedURI: origin + '/forged-' + j + '.js', violatedDirective: 'script-src-elem', effectiveDirective: 'script-src-elem',
      originalPolicy: "script-src 'self'", disposition: 'enforce', statusCode: 200, documentURI: location.href };
    document.dispatchEvent(new SecurityPolicyViolationEvent('securitypolicyviolation', init));
  }
  ${DONE}
})();
`;

/**
 * framework: page code that goes after the extension framework's own plumbing. WXT's content-script
 * context announces each start with a window message and a document event named after the
 * extension id, and stops itself when it sees another such event: a page that knows the id (`id`)
 * could learn tapguard is there, or switch its watching off. The page keeps what it heard in
 * `data-lab-heard`, sends the stop event, then adds a script from a new origin.
 */
const FRAMEWORK_JS = `(function () {
  'use strict';
  ${PARAMS}
  var id = params.get('id') || '';
  var heard = [];
  window.addEventListener('message', function (e) {
    if (e.source === window && e.data && e.data.labOwn) return;
    heard.push(typeof e.data === 'object' && e.data ? String(e.data.type || Object.keys(e.data).join(',')) : String(e.data));
    document.documentElement.setAttribute('data-lab-heard', JSON.stringify(heard));
  });
  window.postMessage({ labOwn: true }, '*');
  function attack() {
    var names = [id + ':content:wxt:content-script-started', 'wxt:content-script-started'];
    for (var i = 0; i < names.length && params.get('attack') !== '0'; i++) {
      document.dispatchEvent(new CustomEvent(names[i], { detail: { contentScriptName: 'content', messageId: 'hostile' } }));
    }
    setTimeout(function () {
      var s = document.createElement('script');
      s.src = 'https://fw-' + run + '.hostile.test/after.js';
      document.head.appendChild(s);
      setTimeout(function () { document.documentElement.setAttribute('data-lab-heard', JSON.stringify(heard)); ${DONE} }, 300);
    }, 300);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { setTimeout(attack, 100); });
  else setTimeout(attack, 100);
})();
`;

/**
 * csp: a flood of CSP violations of several kinds: images from 5,000 distinct origins, eval, and
 * inline styles.
 */
const CSP_JS = `(function () {
  'use strict';
  ${PARAMS}
  var n = Math.min(Number(params.get('n')) || 5000, 50000);
  var i = 0;
  function step() {
    var end = Math.min(n, i + 500);
    for (; i < end; i++) {
      var img = document.createElement('img');
      img.src = 'https://c' + i + '-' + run + '.csp.test/p.gif';
      document.body.appendChild(img);
    }
    if (i < n) { setTimeout(step, 0); return; }
    for (var k = 0; k < 500; k++) {
      try { (0, eval)('1'); } catch (e) { /* refused by CSP */ }
      var style = document.createElement('style');
      style.textContent = '.x' + k + '{color:red}';
      document.head.appendChild(style);
    }
    ${DONE}
  }
  step();
})();
`;

/**
 * stream: one script from a new origin every \`ms\` (default 150) milliseconds, \`n\` (default 30)
 * times: a steady stream of findings, each its own incident.
 */
const STREAM_JS = `(function () {
  'use strict';
  ${PARAMS}
  var n = Math.min(Number(params.get('n')) || 30, 1000);
  var ms = Math.min(Number(params.get('ms')) || 150, 10000);
  var i = 0;
  var timer = setInterval(function () {
    var s = document.createElement('script');
    s.src = 'https://s' + i + '-' + run + '.stream.test/x.js';
    document.head.appendChild(s);
    document.documentElement.setAttribute('data-lab-inserted', String(++i));
    if (i >= n) { clearInterval(timer); ${DONE} }
  }, ms);
})();
`;

/** Hostile page names and their page code. */
export const HOSTILE = {
  flood: FLOOD_JS,
  huge: HUGE_JS,
  prototypes: PROTOTYPES_JS,
  spoof: SPOOF_JS,
  framework: FRAMEWORK_JS,
  csp: CSP_JS,
  stream: STREAM_JS,
} as const;
export type HostileName = keyof typeof HOSTILE;

/** A 5 MB parser-inserted inline script (the page's CSP refuses to run it). */
const HUGE_INLINE = `<script>/*${'z'.repeat(5 * 1024 * 1024)}*/</script>\n`;

export function hostilePage(name: HostileName): string {
  // prototypes must run before DOMContentLoaded, when the content script looks at the page.
  const script = name === 'prototypes' ? `<script src="/hostile/${name}.js"></script>\n` : `<script src="/hostile/${name}.js" defer></script>\n`;
  const rows = messageRows(5);
  return `${head(`hostile ${name}`, script + (name === 'huge' ? HUGE_INLINE : ''))}
${layout(rows)}`;
}

function isHostile(name: string): name is HostileName {
  return Object.hasOwn(HOSTILE, name);
}

/** The lab's answer for a benchmark or hostile path on the mail host, or undefined for other paths. */
export function benchRoute(path: string, query: URLSearchParams): BenchResponse | undefined {
  if (path === '/heavy') {
    const nodes = boundedInt(query.get('nodes'), HEAVY_DEFAULTS.nodes, MAX_NODES);
    const requests = boundedInt(query.get('requests'), HEAVY_DEFAULTS.requests, MAX_REQUESTS);
    return { status: 200, body: heavyPage(nodes, requests), contentType: HTML };
  }
  if (path === '/heavy/app.js') return { status: 200, body: HEAVY_APP_JS, contentType: JS };
  const resource = /^\/heavy\/r\/(\d{1,3})\.(js|css|gif)$/.exec(path);
  if (resource) {
    const [, n, ext] = resource;
    if (ext === 'js') return { status: 200, body: `window.labHeavy = (window.labHeavy || 0) + 1; /* ${n} */\n`, contentType: JS };
    if (ext === 'css') return { status: 200, body: `.r${n}{margin:0}\n`, contentType: CSS };
    return { status: 200, body: GIF, contentType: 'image/gif' };
  }
  const hostile = /^\/hostile\/([a-z]+)(\.js)?$/.exec(path);
  if (hostile && isHostile(hostile[1]!)) {
    const name = hostile[1] as HostileName;
    return hostile[2] ? { status: 200, body: HOSTILE[name], contentType: JS } : { status: 200, body: hostilePage(name), contentType: HTML };
  }
  return undefined;
}

/**
 * Sends a benchmark or hostile response with the mail host's security headers. Unlike the lab's
 * other pages these keep the connection alive, as a real webmail server does: a page of 150
 * subresources over fresh TLS connections would measure handshakes, not the browser.
 */
export function sendBenchResponse(res: ServerResponse, route: BenchResponse, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : route.body;
  res.writeHead(route.status, {
    ...headers,
    'Content-Type': route.contentType,
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
