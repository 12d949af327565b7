/**
 * Page and asset bodies the lab serves. All markup is static apart from the origins it links
 * to, so the same page can be served "normally" over https or "stripped" over http.
 *
 * No inline scripts or styles anywhere: the pages must run under `script-src 'self'`.
 */

export interface PageContext {
  /** Origin of the mail host in the current mode, e.g. https://mail.tapguard.test:8443 */
  mailOrigin: string;
  /** Origin of the chat host in the current mode. */
  chatOrigin: string;
  /** Absolute URL of the injected script, when the scenario injects one into <head>. */
  injectedScript?: string;
  /** CSRF-looking token for forms. */
  token: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const attr = escapeHtml;

function mailHead(title: string, ctx: PageContext): string {
  const injected = ctx.injectedScript ? `\n<script src="${attr(ctx.injectedScript)}"></script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0, shrink-to-fit=no">
<meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/skins/elastic/styles/styles.min.css">${injected}
<script src="/program/js/app.min.js?s=1731000000"></script>
<script src="/skins/elastic/ui.min.js"></script>
</head>`;
}

function mailNav(ctx: PageContext, active: 'inbox' | 'compose' | 'none'): string {
  const o = ctx.mailOrigin;
  const sel = (name: string) => (name === active ? ' selected' : '');
  return `<div id="layout-menu" role="navigation">
<a id="rcmbtn_compose" class="compose${sel('compose')}" href="${attr(`${o}/?_task=mail&_action=compose`)}">Compose</a>
<a id="rcmbtn_mail" class="mail${sel('inbox')}" href="${attr(`${o}/?_task=mail&_mbox=INBOX`)}">Mail</a>
<a id="rcmbtn_logout" class="logout" href="${attr(`${o}/?_task=logout&_token=${ctx.token}`)}">Logout</a>
</div>`;
}

export function loginPage(ctx: PageContext): string {
  return `${mailHead('Roundcube Webmail :: Welcome to Roundcube Webmail', ctx)}
<body class="task-login action-none">
<div id="layout">
<h1 class="voice">Roundcube Webmail Login</h1>
<div id="layout-content" class="selected no-navbar" role="main">
<form id="login-form" name="login-form" method="post" action="./?_task=login">
<input type="hidden" name="_token" value="${attr(ctx.token)}">
<input type="hidden" name="_task" value="login">
<input type="hidden" name="_action" value="login">
<input type="hidden" name="_timezone" id="rcmlogintz" value="_default_">
<input type="hidden" name="_url" id="rcmloginurl" value="">
<table><tbody>
<tr><td class="title"><label for="rcmloginuser">Username</label></td>
<td class="input"><input id="rcmloginuser" name="_user" type="text" required size="40" autocapitalize="off" autocomplete="off" class="form-control"></td></tr>
<tr><td class="title"><label for="rcmloginpwd">Password</label></td>
<td class="input"><input id="rcmloginpwd" name="_pass" type="password" required size="40" autocapitalize="off" autocomplete="off" class="form-control"></td></tr>
</tbody></table>
<p class="formbuttons"><button type="submit" id="rcmloginsubmit" class="button mainaction submit">Login</button></p>
</form>
</div>
<div id="login-footer" role="contentinfo">Roundcube Webmail<span class="support"> &bull; <a href="${attr(`${ctx.mailOrigin}/?_task=mail`)}">Tapguard Lab</a></span></div>
</div>
</body>
</html>
`;
}

export const MESSAGES = [
  { uid: 101, from: 'Alice Example', subject: 'Minutes from Tuesday', date: '2025-05-02 09:14', unread: true },
  { uid: 102, from: 'Bob Sender', subject: 'Re: source meeting', date: '2025-05-02 08:47', unread: true },
  { uid: 103, from: 'Newsroom', subject: 'Embargoed: draft for review', date: '2025-05-01 18:30', unread: false },
  { uid: 104, from: 'Carol Lawyer', subject: 'Privileged & confidential', date: '2025-05-01 15:02', unread: false },
  { uid: 105, from: 'Dave Ops', subject: 'Server maintenance window', date: '2025-05-01 11:20', unread: false },
  { uid: 106, from: 'Erin Editor', subject: 'Photos for the piece', date: '2025-04-30 22:41', unread: false },
  { uid: 107, from: 'Frank Fixer', subject: 'Travel plans (please delete)', date: '2025-04-30 17:05', unread: false },
  { uid: 108, from: 'Grace Researcher', subject: 'Dataset attached', date: '2025-04-30 10:12', unread: false },
  { uid: 109, from: 'Heidi Helpdesk', subject: 'Your mailbox is almost full', date: '2025-04-29 08:00', unread: false },
  { uid: 110, from: 'Ivan Contact', subject: 'Call me on the other number', date: '2025-04-28 21:33', unread: false },
] as const;

export function inboxPage(ctx: PageContext): string {
  const o = ctx.mailOrigin;
  const rows = MESSAGES.map(
    (m) => `<tr id="rcmrow${m.uid}" class="message${m.unread ? ' unread' : ''}">
<td class="subject"><span class="fromto">${escapeHtml(m.from)}</span> <a href="${attr(`${o}/?_task=mail&_mbox=INBOX&_uid=${m.uid}&_action=show`)}">${escapeHtml(m.subject)}</a></td>
<td class="date">${escapeHtml(m.date)}</td></tr>`,
  ).join('\n');
  return `${mailHead('Roundcube Webmail :: Inbox', ctx)}
<body class="task-mail action-none">
<div id="layout">
${mailNav(ctx, 'inbox')}
<div id="layout-list" role="main">
<h2 id="aria-label-messagelist" class="voice">Message list</h2>
<table id="messagelist" class="listing messagelist" aria-labelledby="aria-label-messagelist">
<tbody>
${rows}
</tbody>
</table>
</div>
</div>
</body>
</html>
`;
}

export function messagePage(ctx: PageContext, uid: number): string | undefined {
  const m = MESSAGES.find((x) => x.uid === uid);
  if (!m) return undefined;
  return `${mailHead(`Roundcube Webmail :: ${m.subject}`, ctx)}
<body class="task-mail action-show">
<div id="layout">
${mailNav(ctx, 'inbox')}
<div id="layout-content" role="main">
<h2 class="subject">${escapeHtml(m.subject)}</h2>
<p class="header">From: ${escapeHtml(m.from)} &mdash; ${escapeHtml(m.date)}</p>
<div id="messagebody"><p>This is a fake message served by the tapguard lab.</p></div>
</div>
</div>
</body>
</html>
`;
}

/**
 * The reading pane: Roundcube shows the selected message in a same-origin frame of the inbox
 * (`#messagecontframe`, `_action=preview`), a document of its own that a proxy can rewrite.
 */
export function previewPage(ctx: PageContext, uid: number): string | undefined {
  const m = MESSAGES.find((x) => x.uid === uid);
  if (!m) return undefined;
  return `${mailHead(`Roundcube Webmail :: ${m.subject}`, ctx)}
<body class="task-mail action-preview">
<div id="messagebody"><h2 class="subject">${escapeHtml(m.subject)}</h2><p>This is a fake message served by the tapguard lab.</p></div>
</body>
</html>
`;
}

/** The inbox with its reading pane open on the first message. */
export function inboxWithPreview(ctx: PageContext): string {
  const pane = `<iframe id="messagecontframe" name="messagecontframe" title="Message preview" width="640" height="320" src="${attr(`${ctx.mailOrigin}/?_task=mail&_action=preview&_uid=${MESSAGES[0]!.uid}`)}"></iframe>`;
  return inboxPage(ctx).replace('</table>\n</div>', `</table>\n${pane}\n</div>`);
}

export function composePage(ctx: PageContext): string {
  const action = `${ctx.mailOrigin}/?_task=mail&_action=send`;
  return `${mailHead('Roundcube Webmail :: Compose', ctx)}
<body class="task-mail action-compose">
<div id="layout">
${mailNav(ctx, 'compose')}
<div id="layout-content" role="main">
<form id="compose-form" name="form" method="post" action="${attr(action)}">
<input type="hidden" name="_token" value="${attr(ctx.token)}">
<input type="hidden" name="_task" value="mail">
<input type="hidden" name="_action" value="send">
<p><label for="_to">To</label> <input id="_to" name="_to" type="text" size="60"></p>
<p><label for="compose-subject">Subject</label> <input id="compose-subject" name="_subject" type="text" size="60"></p>
<p><textarea id="composebody" name="_message" rows="15" cols="80"></textarea></p>
<p class="formbuttons"><button type="submit" id="rcmbtn_send" class="button mainaction send">Send</button></p>
</form>
</div>
</div>
</body>
</html>
`;
}

export function postResultPage(ctx: PageContext, what: 'login' | 'send' | 'other'): string {
  const text =
    what === 'login' ? 'Login accepted (lab: credentials discarded).' : what === 'send' ? 'Message sent (lab: discarded).' : 'Request received.';
  return `${mailHead('Roundcube Webmail :: Done', ctx)}
<body class="task-mail action-none">
<div id="layout">
${mailNav(ctx, 'none')}
<div id="layout-content" role="main"><p id="lab-result">${escapeHtml(text)}</p>
<p><a href="${attr(`${ctx.mailOrigin}/?_task=mail`)}">Inbox</a></p></div>
</div>
</body>
</html>
`;
}

export function chatPage(ctx: PageContext, scriptPath = '/chat.js'): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Lab Chat</title>
<script src="${escapeHtml(scriptPath)}" defer></script>
</head>
<body>
<main id="chat">
<h1>Lab Chat</h1>
<p id="chat-status">connecting&hellip;</p>
<ul id="messages">
<li class="message">system: welcome to the lab chat (${escapeHtml(ctx.chatOrigin)})</li>
</ul>
<form id="chat-form">
<input id="chat-input" name="message" type="text" autocomplete="off" placeholder="Type a message">
<button id="chat-send" type="submit">Send</button>
</form>
</main>
</body>
</html>
`;
}

export function chatScript(socketUrl: string): string {
  return `(function () {
  'use strict';
  var list = document.getElementById('messages');
  var form = document.getElementById('chat-form');
  var input = document.getElementById('chat-input');
  var status = document.getElementById('chat-status');
  function add(who, text) {
    var li = document.createElement('li');
    li.className = 'message';
    li.textContent = who + ': ' + text;
    list.appendChild(li);
  }
  function setStatus(s) {
    status.textContent = s;
    document.body.setAttribute('data-socket', s);
  }
  var socket = new WebSocket(${JSON.stringify(socketUrl)});
  socket.addEventListener('open', function () { setStatus('open'); });
  socket.addEventListener('close', function () { setStatus('closed'); });
  socket.addEventListener('error', function () { setStatus('error'); });
  socket.addEventListener('message', function (e) { add('echo', String(e.data)); });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text || socket.readyState !== WebSocket.OPEN) return;
    socket.send(text);
    add('me', text);
    input.value = '';
  });
  window.labChat = { socket: socket, send: function (t) { socket.send(String(t)); } };
})();
`;
}

export const APP_JS = `/* Roundcube Webmail client (tapguard lab stand-in for program/js/app.min.js) */
window.rcmail = window.rcmail || {
  env: { skin: 'elastic', lab: true },
  labels: {},
  init: function () { this.env.task = (document.body && document.body.className.match(/task-(\\w+)/) || [])[1] || ''; },
  set_env: function (k, v) { this.env[k] = v; }
};
`;

export const UI_JS = `/* Roundcube elastic skin UI (tapguard lab stand-in for skins/elastic/ui.min.js) */
window.UI = window.UI || { init: function () { if (window.rcmail && window.rcmail.init) window.rcmail.init(); } };
document.addEventListener('DOMContentLoaded', function () { window.UI.init(); });
`;

export const STYLES_CSS = `body{font-family:sans-serif;margin:0;background:#f4f4f4}
#layout{max-width:960px;margin:0 auto;padding:1em;background:#fff}
#layout-menu a{margin-right:1em}
#messagelist{width:100%;border-collapse:collapse}
#messagelist td{border-bottom:1px solid #ddd;padding:.4em}
tr.unread .subject a{font-weight:bold}
`;

export const INJECT_JS = `/* cdn.evil-tracker.test "analytics" — tapguard lab sample of an injected script.
 * A real implant would hook keystrokes here, e.g.
 *   document.addEventListener('keydown', function (e) { beacon(e.key); });
 * This one is inert: it records nothing and sends nothing. */
window.__tapguardLabInjected = true;
`;

/** Inline code an interceptor adds to the page (inline-script scenario). Inert. */
export const INLINE_INJECT_JS = `/* lawful-interception implant (lab sample, inert) */ window.__tapguardLabInline = true;`;

/** Appended to app.min.js in the script-changed scenario: same URL, other bytes. Inert. */
export const TAMPER_JS = `/* appended in transit (lab sample, inert) */ window.__tapguardLabTampered = true;`;

/** Body of the hidden third-party frame (hidden-iframe scenario). */
export const FRAME_HTML = `<!DOCTYPE html><title>frame</title><p>tracking frame (lab sample, inert)</p>\n`;

/** The webmail's client loading messages from its API host (the api-interception scenario). */
export function apiClientScript(apiUrl: string): string {
  return `(function () {
  'use strict';
  fetch(${JSON.stringify(apiUrl)}, { credentials: 'omit' }).then(
    function (r) { document.body.setAttribute('data-api', String(r.status)); },
    function () { document.body.setAttribute('data-api', 'error'); }
  );
})();
`;
}

/** An ordinary page with hidden frames (the redirect-forgery scenario). */
export function ordinaryPageWithFrames(frameUrls: readonly string[]): string {
  const frames = frameUrls.map((src) => `<iframe src="${escapeHtml(src)}" width="1" height="1" style="display:none"></iframe>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Lentil soup</title></head>
<body>
<h1>Lentil soup</h1>
<p>Soak the lentils overnight.</p>
${frames}
</body>
</html>
`;
}

/** Adds a frame once the page has settled, so that its outcome comes after the page's own. */
export function addFrameLaterScript(frameUrl: string): string {
  return `(function () {
  'use strict';
  setTimeout(function () {
    var frame = document.createElement('iframe');
    frame.src = ${JSON.stringify(frameUrl)};
    frame.width = '1';
    frame.height = '1';
    document.body.appendChild(frame);
    document.body.setAttribute('data-frame', 'added');
  }, 1500);
})();
`;
}
/**
 * Injections that try to hide from a DOM inventory (issue #13), each inert: it sets a flag on the
 * page's window so a test can check it ran. Keyed by lab scenario; `evil` is the tracker origin.
 */
export const HIDING_SCENARIOS = [
  'legacy-type-script',
  'self-removing-script',
  'self-removing-inline-script',
  'rewritten-inline-script',
  'srcdoc-script',
  'data-url-script',
  'synthetic-domcontentloaded',
  'nested-hidden-frame',
  'svg-inline-script',
  'svg-external-script',
  'document-write-script',
  'self-removing-module-script',
  'timer-removed-script',
] as const;
export type HidingScenario = (typeof HIDING_SCENARIOS)[number];

/** The JavaScript types of the HTML standard that browsers still run, legacy ones included. */
const LEGACY_TYPES = ['text/x-javascript', 'application/x-javascript', 'text/javascript1.5', 'text/jscript', 'text/livescript', 'text/x-ecmascript'];

/**
 * Markup the attacker adds to a mail page in a hiding scenario: before </head>, right after the
 * <body> tag (`bodyStart`), and before </body>. With `holdRestOfPage` the lab sends the page up to
 * `bodyStart` and holds the rest back, as a slow link or proxy would, until the page asks for
 * RELEASE_PATH (the implant does, once it has done what it does while the document loads) or
 * HOLD_MAX_MS have passed: the browser's timers (which Firefox defers while a page loads) then run
 * before DOMContentLoaded however busy the machine is.
 */
export interface HidingMarkup {
  head: string;
  body: string;
  bodyStart?: string;
  holdRestOfPage?: boolean;
}

/** Asked for by an implant on the mail host: the lab sends the rest of the page it held back. */
export const RELEASE_PATH = '/lab/release';
/** The longest the lab holds the rest of a page back (holdRestOfPage). */
export const HOLD_MAX_MS = 5000;

export function hidingMarkup(scenario: HidingScenario, evil: string): HidingMarkup {
  switch (scenario) {
    case 'legacy-type-script':
      return { head: LEGACY_TYPES.map((type, i) => `<script type="${type}" src="${attr(`${evil}/legacy.js?t=${i}`)}"></script>`).join('\n'), body: '' };
    case 'self-removing-script':
      return {
        head: `<script src="${attr(`${evil}/vanish.js`)}"></script>\n<script>/* vanishing implant (lab sample, inert) */ window.__tapguardLabVanishedInline = true; document.currentScript.remove();</script>`,
        body: '',
      };
    case 'self-removing-inline-script':
      // Inline only (no request for the network inventory to see), deep in the body, gone before
      // DOMContentLoaded.
      return {
        head: '',
        body: `<div hidden><div><script>/* vanishing inline implant (lab sample, inert) */ window.__tapguardLabVanishedDeep = true; document.currentScript.remove();</script></div></div>`,
      };
    case 'rewritten-inline-script':
      // Inline, left in place but emptied once it ran: the DOMContentLoaded walk finds an empty script.
      return {
        head: '',
        body: `<div hidden><script>/* rewriting inline implant (lab sample, inert) */ window.__tapguardLabRewritten = true; document.currentScript.text = '';</script></div>`,
      };
    case 'srcdoc-script':
      return { head: '', body: `<iframe width="1" height="1" frameborder="0" srcdoc="${attr(`<script>/* srcdoc implant (lab sample, inert) */ parent.__tapguardLabSrcdoc = true;</script>`)}"></iframe>` };
    case 'data-url-script':
      return { head: `<script src="data:text/javascript,/*%20data%20implant%20(lab%20sample,%20inert)%20*/%20window.__tapguardLabData%20=%20true;"></script>`, body: '' };
    case 'nested-hidden-frame':
      // After load, page code fills a detached container with a 1×1 frame and then attaches the
      // container: one added node, whose frame loads all the same.
      return {
        head: '',
        body: `<script>/* nesting implant (lab sample, inert) */ setTimeout(function () { var box = document.createElement('div'); var inner = document.createElement('section'); var frame = document.createElement('iframe'); frame.src = ${JSON.stringify(`${evil}/frame.html`).replace(/"/g, "'")}; frame.width = '1'; frame.height = '1'; frame.frameBorder = '0'; inner.appendChild(frame); box.appendChild(inner); document.body.appendChild(box); document.body.setAttribute('data-nested', 'added'); }, 800);</script>`,
      };
    case 'svg-inline-script':
      // An SVG script is no HTML script element: document.scripts and getElementsByTagName('SCRIPT') in HTML miss it.
      return { head: '', body: `<svg width="0" height="0" aria-hidden="true"><script>/* svg implant (lab sample, inert) */ window.__tapguardLabSvg = true;</script></svg>` };
    case 'svg-external-script':
      return { head: '', body: `<svg width="0" height="0" aria-hidden="true"><script href="${attr(`${evil}/svg.js`)}"></script></svg>` };
    case 'document-write-script':
      // The written script runs inside the writer's own run (no microtask checkpoint in between)
      // and removes its element; the writer stays, itself new inline code quoting the implant.
      return {
        head: '',
        body: `<script>document.write('<script>/* written implant (lab sample, inert) */ window.__tapguardLabWritten = true; document.currentScript.remove();<\\/script>');</script>`,
      };
    case 'self-removing-module-script':
      // A module has no document.currentScript: it finds its element by its own text. Modules are
      // deferred, so it runs after the document is parsed, just before DOMContentLoaded.
      return {
        head: '',
        body: `<script type="module">/* module implant (lab sample, inert) */ window.__tapguardLabModule = true; for (const s of document.querySelectorAll('script[type=module]')) if (s.text.includes('module implant')) s.remove();</script>`,
      };
    case 'timer-removed-script':
      // Removed by a timer, not by itself: the timer fires while the rest of the page is held
      // back, so before DOMContentLoaded (the flag records the document's state at removal).
      return {
        head: '',
        bodyStart: `<script>/* timer implant (lab sample, inert) */ window.__tapguardLabTimer = 'ran'; (function (s) { setTimeout(function () { s.remove(); window.__tapguardLabTimer = 'removed while ' + document.readyState; fetch('${RELEASE_PATH}'); }, 0); })(document.currentScript);</script>`,
        holdRestOfPage: true,
        body: '',
      };
    case 'synthetic-domcontentloaded':
      return {
        head: `<script>document.dispatchEvent(new Event('DOMContentLoaded', { bubbles: true }));</script>`,
        body: `<script>/* late implant (lab sample, inert) */ window.__tapguardLabAfterForgedLoad = true;</script>`,
      };
  }
}

/** External script that runs and then removes its own element (self-removing-script). Inert. */
export const VANISH_JS = `/* vanishing implant (lab sample, inert) */ window.__tapguardLabVanished = true; document.currentScript && document.currentScript.remove();
`;

/** External script of an SVG script element (svg-external-script). Inert. */
export const SVG_JS = `/* svg external implant (lab sample, inert) */ window.__tapguardLabSvgExternal = true;
`;

/** External script served for the legacy JavaScript types (legacy-type-script). Inert. */
export const LEGACY_JS = `/* legacy-type implant (lab sample, inert) */ window.__tapguardLabLegacy = (window.__tapguardLabLegacy || 0) + 1;
`;
