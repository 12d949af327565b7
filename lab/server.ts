/**
 * tapguard local HTTPS lab: a fake self-hosted Roundcube, a fake chat and a fake "tracker" CDN,
 * served on 127.0.0.1 only, whose behaviour can be switched between a clean service and
 * several kinds of interception (SSL stripping, downgrade redirects, injected scripts, stripped
 * security headers, a rogue interception CA, a rotated leaf key).
 *
 * Certificates are generated at start-up with the openssl CLI (see ./certs.ts).
 */
import { randomBytes, constants as cryptoConstants } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { generateLabCerts, type CertPair, type LabCerts } from './certs';
import * as pages from './pages';
import { benchRoute, ordinaryBenchRoute, sendBenchResponse } from './bench-pages';
import { ELEMENT_BUNDLE_JS, MATRIX_VERSIONS_JSON, recognitionPage, recognitionResponseHeaders, ROUNDCUBE_SESSION_COOKIE } from './recognition-pages';

export const LAB_HOSTS = {
  mail: 'mail.tapguard.test',
  chat: 'chat.tapguard.test',
  evil: 'cdn.evil-tracker.test',
  // The hosts that carry the messages, apart from the pages (the session-scope scenarios).
  chatSocket: 'ws.chat.tapguard.test',
  mailApi: 'api.mail.tapguard.test',
} as const;

export const SCENARIOS = [
  'clean',
  'http-page',
  'https-to-http-redirect',
  'injected-script',
  'stripped-headers',
  'interception-ca',
  'leaf-rotation',
  'weak-tls',
  'old-tls',
  'mixed-content',
  'inline-script',
  'script-changed',
  'hidden-iframe',
  'blocked-script',
  'injected-in-frame',
  // A private root with the lab CA's names and its own key, for every host / the socket host only.
  'copycat-ca',
  'copycat-socket',
  // SNI-selective interception: only the chat's socket host, or only the mail's API host, gets
  // the interception CA's certificate; the pages keep the lab CA's.
  'socket-interception',
  'api-interception',
  // Only the chat host is intercepted: a chat frame inside the webmail (/with-chat-frame).
  'frame-interception',
  ...pages.HIDING_SCENARIOS,
] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type LabHost = keyof typeof LAB_HOSTS;

export interface LabRequest {
  ts: number;
  scheme: string;
  host: string;
  path: string;
}

export interface Lab {
  httpsPort: number;
  httpPort: number;
  /** PEM of the lab's own "public" CA (the one tests trust per browser profile). */
  caCertPath: string;
  caCertPem: string;
  /** PEM of the "interception" CA (also trusted in the browser profile, as a state-mandated root would be). */
  interceptCaCertPath: string;
  interceptCaCertPem: string;
  /** SHA-256 of the lab CA certificate DER: lowercase hex, no colons. */
  caFingerprintSha256: string;
  interceptCaFingerprintSha256: string;
  /** PEM of the "copycat" CA: the lab CA's subject names, another key (trusted only where a test asks). */
  copycatCaCertPem: string;
  /** e.g. url('mail', '/inbox') → https://mail.tapguard.test:8443/inbox */
  url(host: LabHost, path?: string, scheme?: 'https' | 'http'): string;
  scenario: Scenario;
  setScenario(s: Scenario): void;
  /** Requests served, oldest first, bounded to the last 5000. */
  requests: LabRequest[];
  close(): Promise<void>;
}

export interface LabOptions {
  httpsPort?: number;
  httpPort?: number;
  /** Where certificates and keys are written; default: a fresh temp dir, removed again by close(). */
  dir?: string;
}

const LISTEN_HOST = '127.0.0.1';
const MAX_BODY = 64 * 1024;
const MAX_LOG = 5000;
/** Where a hiding scenario's page is held back (sendMail, pages.HidingMarkup.holdRestOfPage). */
const HOLD_MARK = '<!--tapguard-lab-hold-->';

function isHidingScenario(s: Scenario): s is pages.HidingScenario {
  return (pages.HIDING_SCENARIOS as readonly string[]).includes(s);
}

export function isScenario(s: unknown): s is Scenario {
  return typeof s === 'string' && (SCENARIOS as readonly string[]).includes(s);
}

function noop(): void {}

/** Hostname from a Host header ("a.b:123", "[::1]:8", "A.B."), lowercased, without port or trailing dot. */
export function hostnameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.replace(/\.$/, '');
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host: LISTEN_HOST, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

type Mode = 'https' | 'http';

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tapguard-lab-'));
  mkdirSync(dir, { recursive: true });

  let certs: LabCerts;
  try {
    certs = generateLabCerts(dir, Object.values(LAB_HOSTS));
  } catch (err) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let scenario: Scenario = 'clean';
  let httpsPort = 0;
  let httpPort = 0;
  let closed = false;
  const requests: LabRequest[] = [];
  /** Pages whose rest is held back (send, holdAt), each with what sends it. */
  const held = new Set<() => void>();
  const sockets = new Set<Socket>();

  // ---- TLS -------------------------------------------------------------------------------

  const secureOptions = cryptoConstants.SSL_OP_NO_TICKET;

  function leafFor(s: Scenario): { leaf: CertPair; issuer: CertPair } {
    if (s === 'copycat-ca') return { leaf: certs.copycatLeaf, issuer: certs.copycatCa };
    if (s === 'interception-ca') return { leaf: certs.interceptLeaf, issuer: certs.interceptCa };
    if (s === 'leaf-rotation') return { leaf: certs.leafB, issuer: certs.ca };
    return { leaf: certs.leafA, issuer: certs.ca };
  }

  function contextOptions(s: Scenario): tls.SecureContextOptions {
    const { leaf, issuer } = leafFor(s);
    return {
      key: leaf.keyPem,
      cert: leaf.certPem + issuer.certPem, // leaf first, then its CA
      secureOptions,
      // A fresh session id context on every build: nothing from before a switch can resume.
      sessionIdContext: randomBytes(16).toString('hex'),
      minVersion: 'TLSv1.2',
      // A downgrading middlebox: TLS 1.2 with a CBC (non-AEAD) suite, the weakest that current
      // browsers still accept, so the connection succeeds and the weakness is visible.
      ...(s === 'weak-tls' ? { maxVersion: 'TLSv1.2' as const, ciphers: 'ECDHE-ECDSA-AES128-SHA' } : {}),
      // A middlebox forcing TLS 1.1 (OpenSSL 3 allows it only at security level 0).
      ...(s === 'old-tls' ? { minVersion: 'TLSv1.1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' } : {}),
    };
  }

  let currentContext = tls.createSecureContext(contextOptions(scenario));
  const copycatContext = tls.createSecureContext(contextOptions('copycat-ca'));
  /** The one host an SNI-selective interceptor targets in the current scenario, with its context. */
  let selective: { host: string; context: tls.SecureContext } | undefined;
  const selectiveTarget = (s: Scenario) =>
    s === 'socket-interception' ? LAB_HOSTS.chatSocket : s === 'api-interception' ? LAB_HOSTS.mailApi : s === 'frame-interception' ? LAB_HOSTS.chat : undefined;

  const httpsServer = https.createServer({
    ...contextOptions(scenario),
    SNICallback(servername, cb) {
      const name = hostnameOf(servername);
      if (scenario === 'http-page' && (name === LAB_HOSTS.mail || name === LAB_HOSTS.chat)) {
        // sslstrip-style: https to the messaging hosts simply does not work any more.
        cb(new Error(`lab: https refused for ${name} in scenario http-page`), undefined);
        return;
      }
      // The socket host alone is intercepted: the pages around it stay clean.
      if (scenario === 'copycat-socket' && name === LAB_HOSTS.chatSocket) return cb(null, copycatContext);
      cb(null, selective && name === selective.host ? selective.context : currentContext);
    },
  });
  const httpServer = http.createServer();

  for (const server of [httpsServer, httpServer]) {
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 1_000;
    server.maxHeadersCount = 100;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('error', noop);
      socket.once('close', () => sockets.delete(socket));
      if (closed) socket.destroy();
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    server.on('error', noop);
  }
  httpsServer.on('tlsClientError', (_err: Error, socket: tls.TLSSocket) => socket.destroy());

  // ---- helpers ---------------------------------------------------------------------------

  function portSuffix(scheme: Mode): string {
    const port = scheme === 'https' ? httpsPort : httpPort;
    return (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80) ? '' : `:${port}`;
  }

  function origin(host: LabHost, scheme: Mode): string {
    return `${scheme}://${LAB_HOSTS[host]}${portSuffix(scheme)}`;
  }

  function url(host: LabHost, path = '/', scheme: Mode = 'https'): string {
    return origin(host, scheme) + (path.startsWith('/') ? path : `/${path}`);
  }

  function log(scheme: string, host: string, path: string): void {
    requests.push({ ts: Date.now(), scheme, host, path });
    if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
  }

  /**
   * The chat never sends HSTS, like many self-hosted installs: a browser that cached the mail
   * host's HSTS would (rightly) refuse to be stripped, so the downgrade scenarios need a host
   * without it, and the mail host's HSTS is what the stripped-headers scenario removes.
   */
  function securityHeaders(mode: Mode, extraScriptOrigin?: string, host: LabHost = 'mail'): Record<string, string> {
    if (scenario === 'stripped-headers') return {};
    // The attacker of inline-script and hidden-iframe rewrote the CSP too, so the page runs them.
    const scriptSrc = ["'self'", ...(extraScriptOrigin ? [extraScriptOrigin] : []), ...(host === 'mail' && scenario === 'inline-script' ? ["'unsafe-inline'"] : []), ...(host === 'mail' ? hidingCsp(mode) : [])].join(' ');
    const frameSrc = host === 'mail' && (scenario === 'hidden-iframe' || scenario === 'nested-hidden-frame') ? `; frame-src ${origin('evil', mode)}` : '';
    // The image comes from the chat host: the mail host's HSTS would upgrade it before anyone saw it.
    const imgSrc = host === 'mail' && scenario === 'mixed-content' ? `; img-src 'self' ${origin('chat', 'http')}` : '';
    if (mode === 'http') {
      // What an sslstrip proxy leaves: HSTS dropped, URLs in the CSP rewritten to cleartext.
      return {
        'Content-Security-Policy': `default-src 'self'; script-src ${scriptSrc}; connect-src 'self' ws://${LAB_HOSTS.chat}${portSuffix('http')}; frame-ancestors 'none'`,
        'X-Content-Type-Options': 'nosniff',
      };
    }
    return {
      ...(host === 'mail' ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
      'Content-Security-Policy': `default-src 'self'; script-src ${scriptSrc}; connect-src 'self' wss://${LAB_HOSTS.chat}${portSuffix('https')}; frame-ancestors 'none'${frameSrc}${imgSrc}`,
      'X-Content-Type-Options': 'nosniff',
    };
  }

  /** The page's CSP, also allowing connections to `source` (the pages whose messages use another host). */
  function withConnectSrc(headers: Record<string, string>, source: string): Record<string, string> {
    const csp = headers['Content-Security-Policy'];
    return csp ? { ...headers, 'Content-Security-Policy': csp.replace("connect-src 'self'", `connect-src 'self' ${source}`) } : headers;
  }

  /** `holdAt`: send the body up to this byte, the rest once releaseHeld() runs or HOLD_MAX_MS passed. */
  function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}, holdAt?: number): void {
    if (res.headersSent || res.destroyed) return;
    const buf = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      ...headers,
      'Content-Length': String(buf.length),
      'Cache-Control': 'no-store',
      Connection: 'close',
    });
    if (holdAt === undefined) return void res.end(buf);
    res.write(buf.subarray(0, holdAt));
    const forget = () => {
      clearTimeout(timer);
      held.delete(release);
    };
    const release = () => {
      forget();
      res.end(buf.subarray(holdAt));
    };
    const timer = setTimeout(release, pages.HOLD_MAX_MS);
    held.add(release);
    res.once('close', forget);
  }

  /** Sends the rest of every page held back (the page asked for pages.RELEASE_PATH). */
  function releaseHeld(): void {
    for (const release of [...held]) release();
  }

  function redirect(res: http.ServerResponse, status: 301 | 302, location: string): void {
    send(res, status, `<!DOCTYPE html><title>Moved</title><a href="${pages.escapeHtml(location)}">${pages.escapeHtml(location)}</a>\n`, {
      Location: location,
    });
  }

  function notFound(res: http.ServerResponse): void {
    send(res, 404, '<!DOCTYPE html><title>404 Not Found</title><h1>Not Found</h1>\n');
  }

  /** Reads and discards a request body; false if it exceeded MAX_BODY or failed. */
  function drainBody(req: http.IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (Number.isFinite(declared) && declared > MAX_BODY) return resolve(false);
      let size = 0;
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        resolve(ok);
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) settle(false);
      });
      req.on('end', () => settle(true));
      req.on('error', () => settle(false));
      req.on('close', () => settle(size <= MAX_BODY && req.complete));
    });
  }

  // ---- application -----------------------------------------------------------------------

  /** The hiding scenarios' attacker loosened the CSP for what it hides (it is not what they test). */
  function hidingCsp(mode: Mode): string[] {
    return isHidingScenario(scenario) ? ["'unsafe-inline'", 'data:', origin('evil', mode)] : [];
  }

  /** What an attacker in the middle adds to mail pages in the script-injection scenarios. */
  function rewriteMail(body: string): string {
    if (isHidingScenario(scenario) && body.includes('</head>')) {
      const markup = pages.hidingMarkup(scenario, origin('evil', 'https'));
      const start = markup.bodyStart ? `\n${markup.bodyStart}${markup.holdRestOfPage ? HOLD_MARK : ''}` : '';
      return body
        .replace('</head>', () => `${markup.head}\n</head>`)
        .replace(/<body[^>]*>/, (tag) => tag + start)
        .replace('</body>', () => `${markup.body}\n</body>`);
    }
    if (scenario === 'inline-script') return body.replace('</head>', `<script>${pages.INLINE_INJECT_JS}</script>\n</head>`);
    if (scenario === 'mixed-content') return body.replace('</body>', `<img src="${url('chat', '/logo.png', 'http')}" alt="" width="1" height="1">\n</body>`);
    if (scenario === 'hidden-iframe') return body.replace('</body>', `<iframe src="${url('evil', '/frame.html', 'https')}" width="1" height="1" frameborder="0"></iframe>\n</body>`);
    return body;
  }

  function sendMail(res: http.ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    const rewritten = rewriteMail(body);
    const hold = rewritten.indexOf(HOLD_MARK);
    if (hold < 0) return send(res, status, rewritten, headers);
    // A hiding scenario's page arrives in two parts (pages.HidingMarkup.holdRestOfPage).
    const [first, rest] = [rewritten.slice(0, hold), rewritten.slice(hold + HOLD_MARK.length)];
    send(res, status, first + rest, headers, Buffer.byteLength(first));
  }

  async function handleMail(req: http.IncomingMessage, res: http.ServerResponse, mode: Mode, u: URL): Promise<void> {
    const method = req.method ?? 'GET';
    // injected-in-frame: the inbox opens its reading pane, and only that frame's document is
    // rewritten, so a watcher of the top document alone sees nothing.
    const preview = u.pathname === '/' && u.searchParams.get('_action') === 'preview';
    const injectedHere = scenario === 'injected-script' || scenario === 'blocked-script' || (scenario === 'injected-in-frame' && preview);
    const injected = mode === 'https' && injectedHere ? url('evil', '/inject.js', 'https') : undefined;
    // blocked-script: the attacker forgot the CSP, so the page's own policy refuses the script.
    const baseHeaders = securityHeaders(mode, injected && scenario !== 'blocked-script' ? origin('evil', 'https') : undefined);
    // The reading pane may be framed by its own inbox, nothing else.
    const framed =
      preview && baseHeaders['Content-Security-Policy']
        ? { ...baseHeaders, 'Content-Security-Policy': baseHeaders['Content-Security-Policy'].replace("frame-ancestors 'none'", "frame-ancestors 'self'") }
        : baseHeaders;
    // Roundcube's session cookie, a real response marker tapguard hints self-hosted webmail by.
    const headers = { ...framed, 'Set-Cookie': ROUNDCUBE_SESSION_COOKIE };
    const ctx: pages.PageContext = {
      mailOrigin: origin('mail', mode),
      chatOrigin: origin('chat', mode),
      injectedScript: injected,
      token: randomBytes(16).toString('hex'),
    };
    const path = u.pathname;
    const q = u.searchParams;

    // Static same-origin assets.
    if (method === 'GET' || method === 'HEAD') {
      // Benchmark and hostile pages (lab/bench-pages.ts), only under /heavy and /hostile/.
      const bench = benchRoute(path, q);
      if (bench) return sendBenchResponse(res, bench, headers);
      if (path === '/program/js/app.min.js') {
        // script-changed: same versioned URL, other bytes, as a proxy rewriting the script would serve.
        const body = scenario === 'script-changed' ? `${pages.APP_JS}\n${pages.TAMPER_JS}` : pages.APP_JS;
        return send(res, 200, body, { ...headers, 'Content-Type': 'application/javascript' });
      }
      if (path === pages.RELEASE_PATH) {
        releaseHeld();
        return send(res, 204, '', headers);
      }
      if (path === '/skins/elastic/ui.min.js') return sendMail(res, 200, pages.UI_JS, { ...headers, 'Content-Type': 'application/javascript' });
      if (path === '/skins/elastic/styles/styles.min.css') return sendMail(res, 200, pages.STYLES_CSS, { ...headers, 'Content-Type': 'text/css; charset=utf-8' });
    }

    if (method === 'POST' && (path === '/' || path === '/inbox' || path === '/compose')) {
      const ok = await drainBody(req);
      if (!ok) {
        send(res, 413, '<!DOCTYPE html><title>413</title><h1>Payload Too Large</h1>\n', headers);
        res.once('finish', () => req.destroy());
        return;
      }
      const what = q.get('_task') === 'login' ? 'login' : q.get('_action') === 'send' ? 'send' : 'other';
      return sendMail(res, 200, pages.postResultPage(ctx, what), headers);
    }

    if (method !== 'GET' && method !== 'HEAD') {
      return send(res, 405, '<!DOCTYPE html><title>405</title><h1>Method Not Allowed</h1>\n', { ...headers, Allow: 'GET, HEAD, POST' });
    }

    if (path === '/') {
      if (mode === 'https' && scenario === 'https-to-http-redirect') {
        // The attacker answers the https request with a downgrade redirect.
        return redirect(res, 302, url('mail', `/${u.search}`, 'http'));
      }
      const task = q.get('_task');
      const action = q.get('_action');
      if (task === 'mail') {
        if (action === 'compose') return sendMail(res, 200, pages.composePage(ctx), headers);
        if (action === 'show' || action === 'preview') {
          const page = (action === 'show' ? pages.messagePage : pages.previewPage)(ctx, Number(q.get('_uid')));
          return page ? sendMail(res, 200, page, headers) : notFound(res);
        }
        return sendMail(res, 200, scenario === 'injected-in-frame' ? pages.inboxWithPreview(ctx) : pages.inboxPage(ctx), headers);
      }
      return sendMail(res, 200, pages.loginPage(ctx), headers);
    }
    if (path === '/inbox') return sendMail(res, 200, pages.inboxPage(ctx), headers);
    // The webmail's client fetching its mail from an API host of its own.
    if (path === '/api-client') {
      return sendMail(res, 200, pages.inboxPage(ctx).replace('</body>', '<script src="/api-client.js"></script>\n</body>'), withConnectSrc(headers, `https://${LAB_HOSTS.mailApi}${portSuffix('https')}`));
    }
    if (path === '/api-client.js') return send(res, 200, pages.apiClientScript(`https://${LAB_HOSTS.mailApi}${portSuffix('https')}/v1/messages`), { ...headers, 'Content-Type': 'application/javascript' });
    // An inbox that already carries an injected script, framing the chat a moment after load (a
    // frame on another watched host, whose findings must add to the tab's verdict, not replace it).
    if (path === '/with-chat-frame') {
      const evil = securityHeaders(mode, origin('evil', 'https'))['Content-Security-Policy'];
      const framed = evil ? { ...headers, 'Content-Security-Policy': `${evil}; frame-src ${origin('chat', 'https')}` } : headers;
      const page = pages.inboxPage({ ...ctx, injectedScript: url('evil', '/inject.js', 'https') });
      return sendMail(res, 200, page.replace('</body>', '<script src="/with-chat-frame.js"></script>\n</body>'), framed);
    }
    if (path === '/with-chat-frame.js') return send(res, 200, pages.addFrameLaterScript(url('chat', '/', 'https')), { ...headers, 'Content-Type': 'application/javascript' });
    // A navigation that never commits: `location.href` to it leaves the page where it is.
    if (path === '/no-content') return send(res, 204, '');
    if (path === '/compose') return sendMail(res, 200, pages.composePage(ctx), headers);
    return notFound(res);
  }

  function handleChat(req: http.IncomingMessage, res: http.ServerResponse, mode: Mode, u: URL): void {
    const method = req.method ?? 'GET';
    const headers = securityHeaders(mode, undefined, 'chat');
    if (method !== 'GET' && method !== 'HEAD') {
      return send(res, 405, '<!DOCTYPE html><title>405</title><h1>Method Not Allowed</h1>\n', { ...headers, Allow: 'GET, HEAD' });
    }
    if (u.pathname === '/' && mode === 'https' && scenario === 'https-to-http-redirect') {
      return redirect(res, 302, url('chat', `/${u.search}`, 'http'));
    }
    const ctx: pages.PageContext = { mailOrigin: origin('mail', mode), chatOrigin: origin('chat', mode), token: '' };
    if (u.pathname === '/' && u.searchParams.get('socket') === 'split') {
      return send(res, 200, pages.chatPage(ctx).replace('src="/chat.js"', 'src="/chat.js?socket=split"'), withConnectSrc(headers, `wss://${LAB_HOSTS.chatSocket}${portSuffix('https')} ${origin('chatSocket', 'https')}`));
    }
    if (u.pathname === '/') return send(res, 200, pages.chatPage(ctx), headers);
    if (u.pathname === '/chat.js') {
      // ?socket=split: the socket lives on a host of its own, as Telegram's and Discord's do.
      const socketHost = u.searchParams.get('socket') === 'split' ? LAB_HOSTS.chatSocket : LAB_HOSTS.chat;
      const socketUrl = `${mode === 'https' ? 'wss' : 'ws'}://${socketHost}${portSuffix(mode)}/socket`;
      return send(res, 200, pages.chatScript(socketUrl), { ...headers, 'Content-Type': 'application/javascript' });
    }
    if (u.pathname === '/socket') return send(res, 426, 'Upgrade Required\n', { ...headers, 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
    return notFound(res);
  }

  function handleEvil(req: http.IncomingMessage, res: http.ServerResponse, u: URL): void {
    const method = req.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/inject.js') {
      return send(res, 200, pages.INJECT_JS, { 'Content-Type': 'application/javascript' });
    }
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/frame.html') return send(res, 200, pages.FRAME_HTML);
    // A navigation away from a watched page that never commits (deep.test.ts).
    if (u.pathname === '/no-content') return send(res, 204, '');
    // The ordinary benchmark page (frames, scripts, images), kept alive like a real site (lab/bench-pages.ts).
    const ordinary = method === 'GET' || method === 'HEAD' ? ordinaryBenchRoute(u.pathname) : undefined;
    if (ordinary) return sendBenchResponse(res, ordinary, {});
    // Pages of self-hosted apps tapguard recognises from the DOM, and their look-alikes, on a host
    // no test has made known (lab/recognition-pages.ts).
    const recognition = /^\/recognition\/([a-z-]+)\/([a-z-]+)$/.exec(u.pathname);
    const page = recognition && (method === 'GET' || method === 'HEAD') ? recognitionPage(recognition[1]!, recognition[2]!) : undefined;
    if (page) return send(res, 200, page, recognitionResponseHeaders(recognition![1]!, recognition![2]!));
    // Element Web's bundle and its homeserver's first answer: the request that hints Element.
    if (/^\/recognition\/element-web\/bundles\/[a-z0-9]+\/bundle\.js$/.test(u.pathname)) return send(res, 200, ELEMENT_BUNDLE_JS, { 'Content-Type': 'application/javascript' });
    if (u.pathname === '/_matrix/client/versions') return send(res, 200, MATRIX_VERSIONS_JSON, { 'Content-Type': 'application/json' });
    // An ordinary page (a recipe blog) whose hidden frames aim https→http redirects at watched
    // hosts, to forge downgrade incidents about them (issue 15).
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/recipes.html') {
      const targets = [url('chat', '/', 'http'), url('mail', '/?_task=mail', 'http')];
      return send(res, 200, pages.ordinaryPageWithFrames(targets.map((to) => `/r?to=${encodeURIComponent(to)}`)));
    }
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/r') {
      const to = u.searchParams.get('to') ?? '';
      const allowed = (Object.keys(LAB_HOSTS) as LabHost[]).some((k) => to.startsWith(`http://${LAB_HOSTS[k]}${portSuffix('http')}/`));
      return allowed ? redirect(res, 302, to) : notFound(res);
    }
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/vanish.js') return send(res, 200, pages.VANISH_JS, { 'Content-Type': 'application/javascript' });
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/svg.js') return send(res, 200, pages.SVG_JS, { 'Content-Type': 'application/javascript' });
    if ((method === 'GET' || method === 'HEAD') && u.pathname === '/legacy.js') return send(res, 200, pages.LEGACY_JS, { 'Content-Type': 'application/javascript' });
    return notFound(res);
  }

  function parseUrl(req: http.IncomingMessage, host: string, mode: Mode): URL | undefined {
    try {
      const raw = req.url ?? '/';
      if (!raw.startsWith('/')) return undefined; // no absolute-form / proxy requests
      return new URL(raw, `${mode}://${host || 'invalid.test'}`);
    } catch {
      return undefined;
    }
  }

  function requestHost(req: http.IncomingMessage, mode: Mode): string {
    const fromHeader = hostnameOf(req.headers.host);
    if (fromHeader) return fromHeader;
    if (mode === 'https') return hostnameOf((req.socket as tls.TLSSocket).servername || '');
    return '';
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, mode: Mode): Promise<void> {
    req.on('error', noop);
    res.on('error', noop);
    const host = requestHost(req, mode);
    log(mode, host, req.url ?? '');
    const u = parseUrl(req, host, mode);
    if (!u) return send(res, 400, '<!DOCTYPE html><title>400</title><h1>Bad Request</h1>\n');

    const key = (Object.keys(LAB_HOSTS) as LabHost[]).find((k) => LAB_HOSTS[k] === host);
    if (!key) return notFound(res);

    if (mode === 'http' && scenario !== 'http-page' && scenario !== 'https-to-http-redirect') {
      // The service's own upgrade redirect.
      if (req.method !== 'GET' && req.method !== 'HEAD') req.resume();
      return redirect(res, 301, url(key, u.pathname + u.search, 'https'));
    }
    if (key === 'mail') return handleMail(req, res, mode, u);
    if (key === 'chat') return handleChat(req, res, mode, u);
    if (key === 'mailApi') return send(res, 200, '{"messages":[]}', { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': origin('mail', mode) });
    if (key === 'chatSocket') return notFound(res);
    return handleEvil(req, res, u);
  }

  for (const [server, mode] of [
    [httpsServer, 'https'],
    [httpServer, 'http'],
  ] as const) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      handle(req, res, mode).catch(() => {
        if (!res.headersSent) send(res, 500, '<!DOCTYPE html><title>500</title><h1>Internal Server Error</h1>\n');
        else res.destroy();
      });
    });
  }

  // ---- WebSocket echo --------------------------------------------------------------------

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY, perMessageDeflate: false });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', noop);
    ws.on('message', (data, isBinary) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary });
    });
  });
  wss.on('error', noop);

  for (const [server, mode] of [
    [httpsServer, 'https'],
    [httpServer, 'http'],
  ] as const) {
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', noop);
      const host = requestHost(req, mode);
      log(mode === 'https' ? 'wss' : 'ws', host, req.url ?? '');
      const u = parseUrl(req, host, mode);
      const isWs = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
      if (!u || !isWs || (host !== LAB_HOSTS.chat && host !== LAB_HOSTS.chatSocket) || u.pathname !== '/socket') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      try {
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      } catch {
        socket.destroy();
      }
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------

  function destroyAllSockets(): void {
    for (const ws of wss.clients) ws.terminate();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  }

  try {
    httpsPort = await listen(httpsServer, opts.httpsPort ?? 0);
    httpPort = await listen(httpServer, opts.httpPort ?? 0);
  } catch (err) {
    await Promise.all([closeServer(httpsServer), closeServer(httpServer)]);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const lab: Lab = {
    httpsPort,
    httpPort,
    caCertPath: certs.ca.certPath,
    caCertPem: certs.ca.certPem,
    interceptCaCertPath: certs.interceptCa.certPath,
    interceptCaCertPem: certs.interceptCa.certPem,
    caFingerprintSha256: certs.ca.fingerprintSha256,
    interceptCaFingerprintSha256: certs.interceptCa.fingerprintSha256,
    copycatCaCertPem: certs.copycatCa.certPem,
    url,
    get scenario(): Scenario {
      return scenario;
    },
    set scenario(s: Scenario) {
      lab.setScenario(s);
    },
    setScenario(s: Scenario): void {
      if (!isScenario(s)) throw new Error(`lab: unknown scenario ${JSON.stringify(s)}; expected one of ${SCENARIOS.join(', ')}`);
      scenario = s;
      const options = contextOptions(s);
      currentContext = tls.createSecureContext(options);
      const target = selectiveTarget(s);
      selective = target ? { host: target, context: tls.createSecureContext(contextOptions('interception-ca')) } : undefined;
      httpsServer.setSecureContext(options); // default context, for clients that send no SNI
      destroyAllSockets();
    },
    requests,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      destroyAllSockets();
      wss.close();
      await Promise.all([closeServer(httpsServer), closeServer(httpServer)]);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}
