/**
 * Pages for the self-hosted webmail and chat tapguard recognises from the DOM (lib/core/sites/recognise.ts):
 * for each product, pages with its real markers (the login page and the app page, written after the
 * product's own templates, trimmed to their structure) and look-alikes that must NOT be recognised:
 * a blog post about the product and a page that borrows one or two of its markers.
 *
 * The unit tests run the recogniser over every page here; the lab serves them under
 * /recognition/<id>/<page> so a real browser can be pointed at them.
 */

export interface RecognitionPages {
  /** Pages of the real product: each must be recognised as this id. */
  real: Record<string, string>;
  /** Pages that must not be recognised as anything. */
  lookalikes: Record<string, string>;
}

const doc = (head: string, body: string, bodyAttributes = '') =>
  `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n${head}\n</head>\n<body${bodyAttributes}>\n${body}\n</body>\n</html>\n`;

/** An ordinary blog post that talks about a product, links to it and quotes its name in the title. */
const blogPost = (title: string, text: string) =>
  doc(
    `<title>${title}</title>\n<link rel="stylesheet" href="/wp-content/themes/blog/style.css">\n<script src="/wp-includes/js/jquery/jquery.min.js"></script>`,
    `<header><a href="/">A sysadmin's notes</a></header>\n<article><h1>${title}</h1><p>${text}</p>\n<form action="/wp-comments-post.php" method="post"><input name="author"><textarea name="comment"></textarea><input type="submit" value="Post comment"></form></article>`,
  );

export const RECOGNITION_PAGES: Record<string, RecognitionPages> = {
  owa: {
    real: {
      login: doc(
        `<!-- OwaPage = ASP.auth_logon_aspx -->\n<link rel="shortcut icon" href="/owa/auth/15.1.2507/themes/resources/favicon.ico" type="image/x-icon">\n<title>Outlook</title>`,
        `<form action="/owa/auth.owa" method="POST" name="logonForm" enctype="application/x-www-form-urlencoded" autocomplete="off">
<input type="hidden" name="destination" value="https://mail.example.org/owa/"><input type="hidden" name="flags" value="4"><input type="hidden" name="forcedownlevel" value="0">
<div id="mainLogonDiv" class="mouse"><div class="sidebar"><div class="owaLogoContainer"></div></div>
<div class="logonDiv"><input id="username" name="username" type="text"><input id="password" name="password" type="password">
<div class="signInEnter"><div onclick="clkLgn()" class="signinbutton" role="button" tabindex="0">sign in</div></div></div></div>
<input name="isUtf8" value="1" type="hidden"></form>`,
      ),
      app: doc(
        `<title>Mail - Jane Doe - Outlook</title>\n<link rel="stylesheet" href="/owa/prem/15.2.1544.4/resources/styles/0/boot.worldwide.mouse.css">\n<script src="/owa/prem/15.2.1544.4/scripts/boot.worldwide.0.mouse.js"></script>`,
        `<div id="owaLoading"></div>`,
      ),
    },
    lookalikes: {
      blog: blogPost('Securing Outlook Web App on Exchange 2019', 'Point users at https://mail.example.org/owa/ and make sure /owa/auth.owa is only reachable over TLS.'),
      'phishing-kit-stub': doc(`<title>Outlook</title>`, `<form action="/owa/auth.owa" method="post"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`),
    },
  },

  'nextcloud-mail': {
    real: {
      app: doc(
        `<title>Mail - Nextcloud</title>\n<link rel="stylesheet" href="/apps/mail/css/mail.css?v=4d1f">\n<script nonce="x" defer src="/apps/mail/js/mail-main.js?v=4d1f"></script>`,
        `<input type="hidden" id="initial-state-mail-accounts" value="W10=">\n<input type="hidden" id="initial-state-mail-tags" value="W10=">
<header id="header"><div class="header-left"><a href="/apps/dashboard/" id="nextcloud"></a></div></header>
<main id="content" class="app-mail"><h1 class="hidden-visually" id="page-heading-level-1">Mail</h1><div id="content-vue"></div></main>`,
        ' id="body-user"',
      ).replace('<head>', '<head data-user="jane" data-user-displayname="Jane Doe" data-requesttoken="tok">'),
    },
    lookalikes: {
      blog: blogPost('Nextcloud Mail - a review after one year', 'We moved our mailboxes into Nextcloud Mail. Install it from /settings/apps and open /apps/mail.'),
      // Nextcloud Files on the same kind of server: the core layout, but not the mail app.
      'nextcloud-files': doc(
        `<title>Files - Nextcloud</title>\n<script defer src="/apps/files/js/files-main.js"></script>`,
        `<input type="hidden" id="initial-state-files-config" value="e30="><main id="content" class="app-files"></main>`,
        ' id="body-user"',
      ).replace('<head>', '<head data-requesttoken="tok">'),
    },
  },

  'nextcloud-talk': {
    real: {
      app: doc(
        `<title>Talk - Nextcloud</title>\n<script nonce="x" defer src="/apps/spreed/js/talk-main.js?v=2c1e"></script>`,
        `<input type="hidden" id="initial-state-spreed-signaling_mode" value="ImludGVybmFsIg==">\n<input type="hidden" id="initial-state-spreed-start_conversations" value="dHJ1ZQ==">
<main id="content" class="app-spreed"><div id="content-vue"></div></main>`,
        ' id="body-user"',
      ).replace('<head>', '<head data-user="jane" data-requesttoken="tok">'),
    },
    lookalikes: {
      blog: blogPost('Small talk - how we run Nextcloud Talk', 'Nextcloud Talk (app id spreed) needs a TURN server; see /apps/spreed in your instance.'),
      'two-markers': doc(`<title>Talk - Conference 2026</title>`, `<main id="content" class="app-spreed"><p>Schedule of talks</p></main>`),
    },
  },

  'element-web': {
    real: {
      app: doc(
        `<title>Element</title>\n<link rel="manifest" href="manifest.json">\n<link rel="apple-touch-icon" sizes="180x180" href="vector-icons/apple-touch-icon-180x180.png">\n<meta name="apple-mobile-web-app-title" content="Element">\n<meta name="application-name" content="Element">\n<link rel="stylesheet" href="bundles/5a8e1f/bundle.css">`,
        `<noscript>Sorry, Element requires JavaScript to be enabled.</noscript>\n<section id="matrixchat" style="height: 100%;" class="notranslate"></section>\n<script src="bundles/5a8e1f/bundle.js"></script>`,
        ' style="height: 100%; margin: 0;" data-vector-indexeddb-worker-script="bundles/5a8e1f/indexeddb-worker.js"',
      ),
    },
    lookalikes: {
      blog: blogPost('Element web: self-hosting the Matrix client', 'Copy config.sample.json to config.json and point default_server_config at your homeserver.'),
      // A React app that happens to ship a webpack bundle and be called "Element…" in its title.
      'design-system': doc(`<title>Element UI - a Vue 2.0 based component library</title>\n<script src="/bundles/app/bundle.js"></script>`, `<div id="app"></div>`),
    },
  },

  zulip: {
    real: {
      login: doc(
        `<title>Log in | Zulip</title>\n<link id="favicon" rel="icon" href="/static/images/favicon.svg?v=4">\n<script src="/webpack/signup.1a2b3c.js" defer></script>`,
        `<div data-page-id="login-page"></div>\n<div class="app login-page split-view new-style flex full-page"><form name="login_form" id="login_form" method="post" action="/accounts/login/"><input type="email" name="username" id="id_username"><input type="password" name="password" id="id_password"></form></div>
<div hidden id="page-params" data-params='{"page_type":"default"}'></div>`,
      ),
      app: doc(
        `<title>Acme - Zulip</title>\n<link id="favicon" rel="icon" href="/static/images/favicon.svg?v=4">\n<script src="/webpack/app.4d5e6f.js" defer></script>`,
        `<div id="app-loading"><div id="app-loading-middle-content"></div></div>\n<div class="app"><div class="app-main"></div></div>
<div class="hidden"><form id="logout_form" action="/accounts/logout/" method="POST"></form></div>
<div hidden id="page-params" data-params='{"page_type":"home"}'></div>`,
      ),
    },
    lookalikes: {
      blog: blogPost('Why we moved from Slack to Zulip', 'Zulip threads by topic. Our server lives at chat.example.org and logs in at /accounts/login/.'),
      // Zulip's own marketing pages share the base template (page-params) and the name, nothing else.
      'marketing-page': doc(`<title>Zulip — organized team chat</title>`, `<div class="portico-landing hello"></div>\n<div hidden id="page-params" data-params='{"page_type":"default"}'></div>`),
    },
  },

  'ox-appsuite': {
    real: {
      login: doc(
        `<title> </title>\n<meta name="application-name" content="App Suite">\n<meta name="apple-mobile-web-app-title" content="App Suite">`,
        `<div id="background-loader" class="busy"></div>
<div id="io-ox-core" class="abs unselectable" style="display: none"><div id="io-ox-appcontrol" style="display: none"></div><div id="io-ox-screens" class="abs"><div id="io-ox-windowmanager" class="abs"></div></div></div>
<div id="io-ox-login-screen" style="display: none"><form id="io-ox-login-form" action="/appsuite/api/login" method="post"><input type="text" id="io-ox-login-username" name="username"><input type="password" id="io-ox-login-password" name="password"></form></div>`,
      ),
    },
    lookalikes: {
      blog: blogPost('OX App Suite 8: what changed for admins', 'The login page element #io-ox-login-screen can be themed; the App Suite core lives in #io-ox-core.'),
      'one-marker': doc(`<title>Intranet</title>\n<meta name="application-name" content="App Suite">`, `<div id="io-ox-core"></div>`),
    },
  },

  grommunio: {
    real: {
      login: doc(
        `<title>grommunio web</title>\n<meta name="description" content="Kopano WebApp is the ultimate frontend client for Kopano server.">\n<meta name="author" content="Kopano.io">\n<link rel="stylesheet" type="text/css" href="client/resources/css/external/login.css">`,
        `<div id="form-container"><div id="bg"></div><div id="content"><div class="left"><div id="logo"></div></div><div class="right"><h1>Welcome</h1>
<form action="index.php?logon" method="post"><input type="text" name="username" id="username"><input type="password" name="password" id="password"><input id="submitbutton" class="button" type="submit" value="Sign in"></form></div></div></div>`,
        ' class="login theme-basic"',
      ),
      app: doc(
        `<meta name="Generator" content="Kopano WebApp v3.6">\n<title>Kopano WebApp</title>\n<link rel="stylesheet" href="client/resources/css/external/login.css">\n<link rel="stylesheet" href="client/resources/css/kopano.css">`,
        `<div id="loading-mask"><div id="form-container" class="loading" style="visibility: hidden;"><div id="bg"></div><div id="content"></div></div></div>\n<script src="client/kopano.js"></script>`,
        ' class="zarafa-webclient theme-basic"',
      ),
    },
    lookalikes: {
      blog: blogPost('Migrating from Kopano WebApp to grommunio', 'grommunio Web is a fork of Kopano WebApp; the login template still loads client/resources/css/external/login.css.'),
      'login-form': doc(`<title>Member area</title>`, `<div id="form-container"><form method="post"><input name="username"><input type="password" name="password"><input id="submitbutton" type="submit" value="Sign in"></form></div>`, ' class="login"'),
    },
  },

  'mumble-web': {
    real: {
      app: doc(
        `<meta name="apple-mobile-web-app-title" content="Mumble">\n<meta name="application-name" content="Mumble">\n<script src="config.js"></script>\n<script src="config.local.js"></script>\n<script src="theme.js"></script>\n<script src="matrix.js"></script>`,
        `<div class="loading-container" data-bind="css: { loaded: true }"><div class="loading-circle" data-bind="css: { loaded: true }"></div></div>
<div id="container" style="display: none" data-bind="visible: true, css: { minimal: minimalView }">
<div class="connect-dialog dialog" data-bind="visible: visible() &amp;&amp; !joinOnly()"><div class="dialog-header">Connect to Server</div>
<form data-bind="submit: connect"><input id="address" type="text" data-bind="value: address"><input id="port" type="text" data-bind="value: port"><input id="username" type="text" data-bind="value: username"></form></div></div>
<script src="index.js"></script>`,
      ),
    },
    lookalikes: {
      blog: blogPost('Running mumble-web behind nginx', 'mumble-web reads config.js and then config.local.js; the connect dialog asks for address and port.'),
      'voice-app': doc(`<title>Voice</title>\n<meta name="application-name" content="Mumble">\n<script src="config.local.js"></script>`, `<div id="container"></div>`),
    },
  },
};

/**
 * What the products' servers send with their pages (lib/core/sites/response-hints.ts says where
 * each marker comes from), so the background can hint them as on a real install. Products whose
 * server sends nothing of its own (Element Web, Zulip, mumble-web, OX App Suite's static UI: they are
 * hinted by their paths or their API requests) get nothing here. Look-alikes get nothing either,
 * except Nextcloud Files, which is a real Nextcloud and sets its cookies: hinted, then not
 * recognised, as a hint is not a verdict.
 */
const RESPONSE_MARKERS: Record<string, Record<string, string>> = {
  owa: { 'X-OWA-Version': '15.1.2507.6', 'X-FEServer': 'EXCH01', 'Set-Cookie': 'ClientId=6E1B9A0C2F7D4E3A; path=/; secure; HttpOnly' },
  'nextcloud-mail': { 'Set-Cookie': 'nc_sameSiteCookielax=true; path=/; httponly; secure; expires=Fri, 31-Dec-2100 23:59:59 GMT; SameSite=lax' },
  'nextcloud-talk': { 'Set-Cookie': 'oc_sessionPassphrase=Zm9v; path=/; secure; HttpOnly; SameSite=Lax' },
  grommunio: { 'Set-Cookie': 'KOPANO_WEBAPP=3c9f1e; path=/; secure; HttpOnly' },
  'lookalike-nextcloud-files': { 'Set-Cookie': 'nc_sameSiteCookiestrict=true; path=/; httponly; secure; SameSite=strict' },
};

/**
 * Element Web's bundle, reduced to its first request: the client asks its homeserver which
 * versions of the client-server API it speaks (`GET /_matrix/client/versions`). Element's server
 * is a static file server with no marker of its own; this request is what hints it.
 */
export const ELEMENT_BUNDLE_JS = "fetch('/_matrix/client/versions').catch(() => undefined);\n";
export const MATRIX_VERSIONS_JSON = '{"versions":["v1.11","v1.12"]}\n';

/** The Roundcube session cookie the lab's webmail sets (Roundcube's default `session_name`). */
export const ROUNDCUBE_SESSION_COOKIE = 'roundcube_sessid=lab0session; path=/; HttpOnly; SameSite=Lax';

/** Response headers for /recognition/<id>/<page>. */
export function recognitionResponseHeaders(id: string, page: string): Record<string, string> {
  const key = page === 'lookalike-nextcloud-files' ? page : page.startsWith('lookalike-') ? '' : id;
  return Object.hasOwn(RESPONSE_MARKERS, key) ? RESPONSE_MARKERS[key]! : {};
}

/** The page at /recognition/<id>/<page>: a real page by its name, or `lookalike-<name>`. */
export function recognitionPage(id: string, page: string): string | undefined {
  const pages = Object.hasOwn(RECOGNITION_PAGES, id) ? RECOGNITION_PAGES[id] : undefined;
  if (!pages) return undefined;
  const lookalike = page.startsWith('lookalike-') ? page.slice('lookalike-'.length) : undefined;
  const set = lookalike === undefined ? pages.real : pages.lookalikes;
  const name = lookalike ?? page;
  return Object.hasOwn(set, name) ? set[name] : undefined;
}
