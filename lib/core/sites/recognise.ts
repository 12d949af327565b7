/**
 * Recognition of self-hosted webmail and chat from markers their real installs serve. A page
 * counts only when several independent markers agree, so one borrowed class name or title does
 * not make an ordinary site "messaging".
 */
export interface Recogniser {
  id: string;
  name: string;
  /** CSS selectors; each that matches is one marker. */
  selectors: readonly string[];
  /** Case-insensitive fragments of document.title; the title is one marker however many it contains. */
  titles: readonly string[];
  minMarkers: number;
}

export const RECOGNISERS: readonly Recogniser[] = [
  {
    id: 'roundcube',
    name: 'Roundcube',
    selectors: [
      'input[name="_task"]',
      'input[name="_token"]',
      '#rcmloginuser',
      '#rcmloginpwd',
      'script[src*="program/js/app"]',
      '#messagelist',
      '#rcmbtn_compose, a.compose[href*="_action=compose"]',
    ],
    titles: ['roundcube webmail'],
    minMarkers: 3,
  },
  {
    id: 'sogo',
    name: 'SOGo',
    selectors: ['script[src*="/SOGo.woa/"]', 'link[href*="/SOGo.woa/"]', 'form[name="loginForm"][action*="SOGo"]', 'sg-login, [sg-login]'],
    titles: ['sogo'],
    minMarkers: 2,
  },
  {
    id: 'snappymail',
    name: 'SnappyMail / RainLoop',
    selectors: ['#rl-app', '#rl-loading', 'script[src*="snappymail/v/"]', 'script[src*="rainloop/v/"]'],
    titles: [],
    minMarkers: 2,
  },
  {
    id: 'zimbra',
    name: 'Zimbra',
    selectors: ['#ZLoginFormPanel', 'form[name="loginForm"][action*="/"] input[name="loginOp"]', 'script[src*="/js/zimbraMail/"]', 'link[href*="/css/common,login,zhtml"]'],
    titles: ['zimbra'],
    minMarkers: 2,
  },
  {
    id: 'horde',
    name: 'Horde',
    selectors: ['#horde-login', 'form[name="horde_login"]', 'script[src*="/horde/js/"]'],
    titles: ['horde'],
    minMarkers: 2,
  },
  {
    id: 'mattermost',
    name: 'Mattermost',
    selectors: ['meta[name="apple-mobile-web-app-title"][content="Mattermost"]', '#root.channel-view, #root', 'script[src*="/static/main."]'],
    titles: ['mattermost'],
    minMarkers: 3,
  },
  {
    id: 'rocketchat',
    name: 'Rocket.Chat',
    selectors: ['meta[name="application-name"][content="Rocket.Chat"]', 'script[src*="/meteor_runtime_config.js"]', '#react-root'],
    titles: ['rocket.chat'],
    minMarkers: 2,
  },
  {
    id: 'jitsi',
    name: 'Jitsi Meet',
    selectors: ['script[src*="libs/app.bundle.min.js"]', 'script[src*="interface_config.js"]', 'script[src*="libs/lib-jitsi-meet.min.js"]'],
    titles: ['jitsi meet'],
    minMarkers: 2,
  },
  // Outlook on the web on premises (Exchange OWA). Forms logon page, logon.aspx of Exchange
  // 2010-2019 ("OwaPage = ASP.auth_logon_aspx"): <form action="/owa/auth.owa" name="logonForm">
  // with hidden `forcedownlevel`, #mainLogonDiv (2013+) or #lgnDiv (2010), resources under
  // /owa/auth/<build>/; the app after logon loads /owa/prem/<build>/scripts/boot.*.js and
  // resources/styles/0/boot.*.css. Title "Outlook" / "Outlook Web App".
  {
    id: 'owa',
    name: 'Outlook on the web (Exchange)',
    selectors: [
      'form[name="logonForm"][action*="/owa/auth.owa"]',
      'input[name="forcedownlevel"]',
      '#mainLogonDiv, #lgnDiv',
      'link[href*="/owa/auth/"]',
      'script[src*="/owa/prem/"]',
      'link[href*="/owa/prem/"]',
    ],
    titles: ['outlook'],
    minMarkers: 3,
  },
  // Nextcloud Mail (nextcloud/mail). Every Nextcloud app page comes from core's
  // templates/layout.user.php: <head data-requesttoken>, <main id="content" class="app-<appid>">
  // (<div> before Nextcloud 25) and one <input id="initial-state-<appid>-<key>"> per value the app
  // publishes (Mail's PageController: accounts, tags, …); Mail's script is apps/mail/js/mail*.js.
  // Title "Mail - <cloud name>".
  {
    id: 'nextcloud-mail',
    name: 'Nextcloud Mail',
    selectors: ['#content.app-mail', 'head[data-requesttoken]', 'input[id^="initial-state-mail-"]', 'script[src*="/mail/js/mail"]'],
    titles: ['mail - '],
    minMarkers: 3,
  },
  // Nextcloud Talk (nextcloud/spreed, app id "spreed"): the same core layout, with class
  // "app-spreed", initial-state-spreed-* inputs and its scripts under apps/spreed/js/. Title
  // "Talk - <cloud name>".
  {
    id: 'nextcloud-talk',
    name: 'Nextcloud Talk',
    selectors: ['#content.app-spreed', 'head[data-requesttoken]', 'input[id^="initial-state-spreed-"]', 'script[src*="/spreed/js/"]'],
    titles: ['talk - '],
    minMarkers: 3,
  },
  // Element Web (element-hq/element-web src/vector/index.html) on its own domain: the app mounts
  // in <section id="matrixchat">, its webpack bundle is bundles/<hash>/bundle.js, the indexeddb
  // worker is named in <body data-vector-indexeddb-worker-script>, icons under vector-icons/, and
  // <meta name="application-name" content="Element">. Title "Element" (then "Element | <room>").
  {
    id: 'element-web',
    name: 'Element',
    selectors: [
      'section#matrixchat',
      'script[src*="bundles/"][src*="/bundle.js"]',
      'body[data-vector-indexeddb-worker-script]',
      'link[href*="vector-icons/"]',
      'meta[name="application-name"][content="Element"]',
    ],
    titles: ['element'],
    minMarkers: 3,
  },
  // Zulip (zulip/zulip templates/zerver/base.html, app/index.html, login.html): every page carries
  // <div hidden id="page-params" data-params='…'>; the app has #app-loading-middle-content and the
  // <form id="logout_form" action="/accounts/logout/">, the login page <div data-page-id="login-page">.
  // Titles "<org> - Zulip", "Log in | Zulip". Zulip's own marketing pages have only page-params
  // and the title, so they stay below the threshold.
  {
    id: 'zulip',
    name: 'Zulip',
    selectors: ['div#page-params[data-params]', '#app-loading-middle-content', 'form#logout_form[action="/accounts/logout/"]', 'div[data-page-id="login-page"]'],
    titles: ['zulip'],
    minMarkers: 3,
  },
  // Open-Xchange App Suite (open-xchange/appsuite-frontend ui/index.html): the core panel
  // #io-ox-core with #io-ox-windowmanager and the app bar (#io-ox-appcontrol; #io-ox-topbar in 7.8),
  // the login screen #io-ox-login-screen with #io-ox-login-username, and (7.10+)
  // <meta name="application-name" content="App Suite">. Its title is set by script, often blank.
  {
    id: 'ox-appsuite',
    name: 'OX App Suite',
    selectors: [
      '#io-ox-core',
      '#io-ox-windowmanager',
      '#io-ox-appcontrol, #io-ox-topbar',
      '#io-ox-login-screen',
      '#io-ox-login-username',
      'meta[name="application-name"][content="App Suite"]',
    ],
    titles: [],
    minMarkers: 3,
  },
  // grommunio Web and Kopano WebApp, its origin (grommunio/grommunio-web
  // server/includes/templates/login.php and webclient.php): both load
  // client/resources/css/external/login.css; the login page keeps <meta name="author"
  // content="Kopano.io"> and a #form-container with #submitbutton; the app page has
  // <meta name="Generator" content="Kopano WebApp v…"> and <body class="zarafa-webclient">.
  {
    id: 'grommunio',
    name: 'grommunio Web / Kopano WebApp',
    selectors: [
      'link[href*="client/resources/css/external/login.css"]',
      'meta[name="author"][content="Kopano.io"]',
      'meta[name="Generator"][content^="Kopano WebApp"]',
      'body.zarafa-webclient',
      '#form-container #submitbutton',
    ],
    titles: ['grommunio', 'kopano webapp'],
    minMarkers: 3,
  },
  // mumble-web, the web client of Mumble (Johni0702/mumble-web app/index.html): <meta
  // name="application-name" content="Mumble">, config.js then config.local.js, the knockout root
  // <div id="container" data-bind="… minimalView …">, its .connect-dialog and .loading-circle. The
  // page sets no title.
  {
    id: 'mumble-web',
    name: 'mumble-web',
    selectors: [
      'meta[name="application-name"][content="Mumble"]',
      'script[src$="config.local.js"]',
      'div#container[data-bind*="minimalView"]',
      'div.connect-dialog.dialog',
      'div.loading-circle',
    ],
    titles: [],
    minMarkers: 3,
  },
];

/** The minimal view of a document recognition needs, so it can run over a snapshot in tests. */
export interface RecognisableDocument {
  title: string;
  querySelectorAll(selectors: string): ArrayLike<{ matches(selector: string): boolean }>;
}

/** Splits a selector list at its top-level commas (not those inside quotes, brackets or parentheses). */
export function splitSelectorList(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(list.slice(start).trim());
  return parts.filter(Boolean);
}

// A compound selector of a tag and only ids, classes and attribute tests: `script[src*="x"]`.
const TAGGED_COMPOUND = /^([a-z][a-z0-9-]*)((?:[#.][\w-]+|\[[^\]]*\])+)$/;

/**
 * The same list of selectors as one list a browser checks faster. `querySelectorAll` with a
 * selector list tests every element against every selector in it, so its cost grows with the
 * number of markers. Written as `script:is([src*="a"], [src*="b"])` per tag (and one `:is(…)` for
 * the rest), most elements are rejected by one tag test per tag instead of one test per marker:
 * 16 recognisers cost what 8 did (measured in Chromium on 5,000-element pages).
 */
export function groupSelectorsByTag(selectors: readonly string[]): string {
  const byTag = new Map<string, string[]>();
  const compounds: string[] = [];
  const complex: string[] = [];
  for (const part of new Set(selectors.flatMap(splitSelectorList))) {
    const tagged = TAGGED_COMPOUND.exec(part);
    if (tagged) byTag.set(tagged[1]!, [...(byTag.get(tagged[1]!) ?? []), tagged[2]!]);
    // Selectors with combinators stay as they are: engines differ on them inside :is() (happy-dom).
    else if (/[\s>+~]/.test(part.replace(/"[^"]*"|'[^']*'/g, '""'))) complex.push(part);
    else compounds.push(part);
  }
  const groups = [...byTag].map(([tag, tails]) => `${tag}:is(${tails.join(', ')})`);
  if (compounds.length) groups.push(`:is(${compounds.join(', ')})`);
  return [...groups, ...complex].join(', ');
}

/** Every marker selector at once: one pass over the DOM instead of one per selector. */
const ALL_SELECTORS = [...new Set(RECOGNISERS.flatMap((r) => r.selectors))];
const GROUPED_SELECTORS = groupSelectorsByTag(ALL_SELECTORS);
const FLAT_SELECTORS = ALL_SELECTORS.join(', ');

type Candidates = ArrayLike<{ matches(selector: string): boolean }>;

/** The elements that carry any marker; the plain list where an engine lacks `:is()`. */
function markerCandidates(doc: RecognisableDocument): Candidates | undefined {
  for (const selectors of [GROUPED_SELECTORS, FLAT_SELECTORS]) {
    try {
      return doc.querySelectorAll(selectors);
    } catch {
      // Try the next form.
    }
  }
  return undefined;
}

/**
 * Runs on every page the content script sees, so it costs one selector query: the few elements
 * that match any marker are then sorted out per recogniser.
 */
export function recogniseMessagingPage(doc: RecognisableDocument): Recogniser | undefined {
  const title = String(doc.title ?? '').toLowerCase();
  const candidates = markerCandidates(doc);
  if (!candidates) return undefined;
  const present = (selector: string) => {
    try {
      for (let i = 0; i < candidates.length; i++) if (candidates[i]!.matches(selector)) return true;
    } catch {
      // A selector the engine does not support counts as absent.
    }
    return false;
  };
  return RECOGNISERS.find((recogniser) => {
    let markers = recogniser.titles.some((fragment) => title.includes(fragment)) ? 1 : 0;
    for (const selector of recogniser.selectors) {
      if (markers >= recogniser.minMarkers) break;
      if (candidates.length && present(selector)) markers++;
    }
    return markers >= recogniser.minMarkers;
  });
}
