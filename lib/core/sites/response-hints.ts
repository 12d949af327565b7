/**
 * Hints, from what a document's HTTP response already shows, that it may be a self-hosted webmail
 * or chat: its URL path, the names of the cookies it sets and its own response headers. The
 * background reads them for every main-frame and frame response (a header look, no page work),
 * and only a hinted document gets the DOM recognisers (lib/core/sites/recognise.ts) injected to
 * confirm. A hint is never a verdict: a look-alike that copies a cookie name costs one injection
 * and stays unknown, since recognition still needs several of the product's DOM markers.
 *
 * Each marker below is one the product's own server sends on its pages (not a reverse proxy's
 * configuration, which differs per install). Products whose pages carry no server marker of their
 * own (Element Web is static files, mumble-web too) are hinted by the requests their page makes:
 * {@link API_PATH_HINTS}.
 */

/** A response header as webRequest gives it. */
export interface ResponseHeader {
  name: string;
  value?: string;
}

export interface DocumentResponse {
  url: string;
  statusCode: number;
  headers: readonly ResponseHeader[];
}

interface ResponseMarkers {
  /** Recogniser ids (lib/core/sites/recognise.ts) this product may be confirmed as. */
  ids: readonly string[];
  /** Cookie names (exact, case-sensitive as servers set them) or, ending in `*`, name prefixes. */
  cookies?: readonly string[];
  /** Response header names (lower case) that only this product sends. */
  headers?: readonly string[];
  /** Tested against the URL's path (and query, for products routed by a query parameter). */
  path?: RegExp;
}

export const RESPONSE_MARKERS: readonly ResponseMarkers[] = [
  // Roundcube: the default session cookie `roundcube_sessid` (config `session_name`), the
  // `roundcube_sessauth` cookie of its session check; every page is routed by `?_task=`.
  { ids: ['roundcube'], cookies: ['roundcube_sessid', 'roundcube_sessauth'], path: /[?&]_task=(?:login|mail|addressbook|settings)\b/ },
  // SOGo: its auth cookie `0xHIGHFLYxSOGo` (set by /SOGo/connect, cleared on the login page) and
  // the `/SOGo` application path every install keeps (the GNUstep web app's name).
  { ids: ['sogo'], cookies: ['0xHIGHFLYxSOGo'], path: /^\/SOGo(?:\/|$)/ },
  // SnappyMail / RainLoop: their install directories (`/snappymail/`, `/rainloop/`); the page's own
  // cookies (`smctoken`, `rltoken`) are set by its script, so only later responses carry them.
  { ids: ['snappymail'], path: /^\/(?:snappymail|rainloop)(?:\/|$)/i },
  // Zimbra: the login page sets `ZM_TEST` (its cookie check) and `ZM_LOGIN_CSRF`; after logon
  // `ZM_AUTH_TOKEN`. The web client lives at `/zimbra/` on older installs.
  { ids: ['zimbra'], cookies: ['ZM_TEST', 'ZM_LOGIN_CSRF', 'ZM_AUTH_TOKEN'], path: /^\/zimbra(?:\/|$)/ },
  // Horde: the session cookie is `Horde` by default (`$conf['session']['name']`) and
  // `horde_secret_key` holds its secret; installs usually live at `/horde/`.
  { ids: ['horde'], cookies: ['Horde', 'horde_secret_key'], path: /^\/horde(?:\/|$)/ },
  // Mattermost: its server answers every request with `X-Version-Id` (the build) and sets
  // `MMAUTHTOKEN`, `MMUSERID` and `MMCSRF` at login.
  { ids: ['mattermost'], cookies: ['MMAUTHTOKEN', 'MMUSERID', 'MMCSRF'], headers: ['x-version-id'] },
  // Rocket.Chat: every response gets `X-Instance-ID` (a raw connect handler of the Meteor app);
  // after login the `rc_uid` and `rc_token` cookies.
  { ids: ['rocketchat'], cookies: ['rc_uid', 'rc_token'], headers: ['x-instance-id'] },
  // Outlook on the web of an Exchange server: the front end adds `X-OWA-Version` (the build),
  // `X-FEServer` names the front-end server; OWA sets `X-OWA-CANARY` and `OutlookSession` (not
  // its generic `ClientId`); it lives at `/owa/`.
  { ids: ['owa'], cookies: ['X-OWA-CANARY', 'OutlookSession'], headers: ['x-owa-version', 'x-feserver'], path: /^\/owa(?:\/|$)/i },
  // Nextcloud (Mail and Talk are apps of it): every page sets `nc_sameSiteCookielax`,
  // `nc_sameSiteCookiestrict` and `oc_sessionPassphrase`; the apps live under `/apps/mail` and
  // `/apps/spreed` (Talk's app id), Talk's rooms at `/call/<token>`.
  {
    ids: ['nextcloud-mail', 'nextcloud-talk'],
    cookies: ['nc_sameSiteCookielax', 'nc_sameSiteCookiestrict', 'oc_sessionPassphrase'],
    path: /^(?:\/index\.php)?\/(?:apps\/(?:mail|spreed)|call\/[a-z0-9]+)(?:\/|$)/,
  },
  // OX App Suite: the UI at `/appsuite/` (static files), the login servlet's cookies
  // `open-xchange-secret-<hash>`, `open-xchange-public-session-<hash>` and `open-xchange-share-<hash>`.
  { ids: ['ox-appsuite'], cookies: ['open-xchange-secret-*', 'open-xchange-public-session*', 'open-xchange-share-*'], path: /^\/appsuite(?:\/|$)/ },
  // grommunio Web / Kopano WebApp: the PHP session cookie is config.php's COOKIE_NAME,
  // `KOPANO_WEBAPP` in config.php.dist (grommunio kept Kopano's default); Kopano's app lives at `/webapp/`.
  { ids: ['grommunio'], cookies: ['KOPANO_WEBAPP'], path: /^\/webapp(?:\/|$)/ },
  // Zulip: the web app's pages `/login/`, `/#narrow`… carry no server marker of their own (Django's
  // generic cookies); its app is hinted by its event queue requests (API_PATH_HINTS).
  // Jitsi Meet: its room pages are plain files; hinted by its XMPP connection (API_PATH_HINTS).
];

/**
 * Requests only these products' pages make, as match patterns for a webRequest URL filter: the
 * browser filters them, so no other page's requests reach the extension. A match hints the
 * document that made the request.
 */
export const API_PATH_HINTS: readonly { ids: readonly string[]; patterns: readonly string[] }[] = [
  // Element Web (and other Matrix clients) talk to the homeserver's client-server API.
  { ids: ['element-web'], patterns: ['*://*/_matrix/client/*'] },
  // Zulip's web app holds a long-poll on its event queue from the moment it starts.
  { ids: ['zulip'], patterns: ['*://*/json/events*'] },
  // Jitsi Meet joins its XMPP server over websocket (`/xmpp-websocket`) or BOSH (`/http-bind`).
  { ids: ['jitsi'], patterns: ['*://*/http-bind*', 'wss://*/xmpp-websocket*', 'ws://*/xmpp-websocket*'] },
  // mumble-web loads the installer's `config.local.js` beside `config.js` (app/index.html).
  { ids: ['mumble-web'], patterns: ['*://*/config.local.js', '*://*/config.local.js?*', '*://*/*/config.local.js', '*://*/*/config.local.js?*'] },
];

/** The request types {@link API_PATH_HINTS} listens to: a page's own requests, not its documents. */
export const API_HINT_TYPES = ['xmlhttprequest', 'websocket', 'script', 'other'] as const;

/** The name of the cookie a Set-Cookie value sets (`name=value; attrs`), or undefined. */
function cookieName(setCookie: string): string | undefined {
  const eq = setCookie.indexOf('=');
  if (eq <= 0) return undefined;
  return setCookie.slice(0, eq).trim();
}

function cookieMatches(name: string, wanted: string): boolean {
  return wanted.endsWith('*') ? name.startsWith(wanted.slice(0, -1)) : name === wanted;
}

/** Path and query of a URL, or undefined when it is not http(s). */
function pathAndQuery(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return parsed.pathname + parsed.search;
}

/**
 * The recogniser ids a document response hints at, in the order of {@link RESPONSE_MARKERS};
 * empty for an ordinary response. Redirects and errors count too (an OWA login redirect carries
 * `X-OWA-Version`), but only the document that finally loads is ever confirmed. Bounded: reads at
 * most the first 100 headers, each once.
 */
export function hintsFromResponse(response: DocumentResponse): string[] {
  const path = pathAndQuery(response.url);
  if (path === undefined) return [];
  const cookies: string[] = [];
  const headerNames = new Set<string>();
  for (const header of response.headers.slice(0, 100)) {
    const name = header.name.toLowerCase();
    headerNames.add(name);
    // Firefox joins several Set-Cookie headers into one value, one cookie per line.
    if (name === 'set-cookie' && header.value) for (const line of header.value.split('\n')) {
      const cookie = cookieName(line);
      if (cookie) cookies.push(cookie);
    }
  }
  const hinted: string[] = [];
  for (const markers of RESPONSE_MARKERS) {
    const hit =
      markers.path?.test(path) ||
      markers.headers?.some((name) => headerNames.has(name)) ||
      markers.cookies?.some((wanted) => cookies.some((name) => cookieMatches(name, wanted)));
    if (hit) hinted.push(...markers.ids);
  }
  return hinted;
}

/** The ids an API request hints at (its URL matched one of {@link API_PATH_HINTS}' patterns). */
export function hintsFromApiRequest(url: string): string[] {
  const path = pathAndQuery(url.replace(/^ws(s?):/, 'http$1:'));
  if (path === undefined) return [];
  const glob = (pattern: string) => new RegExp(`^${pattern.slice(pattern.indexOf('/', pattern.indexOf('://') + 3)).replace(/[.?+^$()[\]{}|\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return API_PATH_HINTS.filter(({ patterns }) => patterns.some((pattern) => glob(pattern).test(path))).flatMap(({ ids }) => ids);
}
