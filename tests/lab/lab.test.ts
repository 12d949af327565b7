import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LAB_HOSTS, SCENARIOS, startLab, type Lab } from '../../lab/server';

/** Resolves every name to 127.0.0.1, as --host-resolver-rules does in the browser. */
const lookup = ((_host: string, options: unknown, cb?: unknown) => {
  const callback = (typeof options === 'function' ? options : cb) as (...args: unknown[]) => void;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  cert?: tls.PeerCertificate;
  /** Where each chunk of the body ended, in bytes: a body sent in parts shows its cuts. */
  chunkEnds: number[];
}

function fetchLab(url: string, opts: { ca?: string[]; method?: string; body?: string; onFirstChunk?: () => void } = {}): Promise<Fetched> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      const socket = res.socket as tls.TLSSocket;
      const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      const chunks: Buffer[] = [];
      const chunkEnds: number[] = [];
      res.on('data', (c: Buffer) => {
        if (!chunks.length) opts.onFirstChunk?.();
        chunks.push(c);
        chunkEnds.push((chunkEnds.at(-1) ?? 0) + c.length);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), cert, chunkEnds }));
      res.on('error', reject);
    };
    const common = { method: opts.method ?? 'GET', lookup, agent: false as const };
    const req =
      u.protocol === 'https:'
        ? https.request(u, { ...common, ca: opts.ca }, onResponse)
        : http.request(u, common, onResponse);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A bare TLS handshake, returning the leaf the server presented. */
function handshake(lab: Lab, servername: string, ca: string[], session?: Buffer): Promise<{ cert: tls.PeerCertificate; reused: boolean; session?: Buffer }> {
  return new Promise((resolve, reject) => {
    let sess: Buffer | undefined;
    const socket = tls.connect({ host: '127.0.0.1', port: lab.httpsPort, servername, ca, session });
    socket.on('session', (s: Buffer) => (sess = s));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const reused = socket.isSessionReused();
      // Give TLS 1.3 a moment to deliver a session, if the server sent any.
      setTimeout(() => {
        socket.destroy();
        resolve({ cert, reused, session: sess });
      }, 50);
    });
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });
}

describe('tapguard lab', () => {
  let lab: Lab;
  let trustBoth: string[];
  let trustLab: string[];

  beforeAll(async () => {
    lab = await startLab();
    trustLab = [lab.caCertPem];
    trustBoth = [lab.caCertPem, lab.interceptCaCertPem];
  });
  afterAll(async () => {
    const dir = lab?.caCertPath;
    await lab?.close();
    if (dir) expect(existsSync(dir)).toBe(false);
  });
  beforeEach(() => lab.setScenario('clean'));

  it('exposes ports, CAs and URLs', () => {
    expect(lab.httpsPort).toBeGreaterThan(0);
    expect(lab.httpPort).toBeGreaterThan(0);
    expect(lab.url('mail', '/inbox')).toBe(`https://mail.tapguard.test:${lab.httpsPort}/inbox`);
    expect(lab.url('chat', '/', 'http')).toBe(`http://chat.tapguard.test:${lab.httpPort}/`);
    expect(lab.caFingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lab.caFingerprintSha256).toBe(new X509Certificate(lab.caCertPem).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(lab.interceptCaFingerprintSha256).not.toBe(lab.caFingerprintSha256);
    const ca = new X509Certificate(lab.caCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=Tapguard Lab Root CA');
    expect(new X509Certificate(lab.interceptCaCertPem).subject).toContain('CN=Lab Interception Root');
    expect(SCENARIOS).toContain(lab.scenario);
    expect(() => lab.setScenario('nope' as never)).toThrow(/unknown scenario/);
  });

  it('clean: Roundcube login page with CSP, HSTS and nosniff, signed by the lab CA', async () => {
    const r = await fetchLab(lab.url('mail', '/'), { ca: trustLab });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Roundcube Webmail :: Welcome to Roundcube Webmail</title>');
    expect(r.body).toContain('<form id="login-form" name="login-form" method="post" action="./?_task=login">');
    expect(r.body).toMatch(/<input type="hidden" name="_token" value="[0-9a-f]+">/);
    expect(r.body).toContain('<input type="hidden" name="_task" value="login">');
    expect(r.body).toContain('<input type="hidden" name="_action" value="login">');
    expect(r.body).toContain('id="rcmloginuser" name="_user"');
    expect(r.body).toContain('id="rcmloginpwd" name="_pass" type="password"');
    expect(r.body).toContain('<script src="/program/js/app.min.js?s=1731000000"></script>');
    expect(r.body).toContain('<script src="/skins/elastic/ui.min.js"></script>');
    expect(r.body).not.toContain('evil-tracker');
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(r.headers['content-security-policy']).toBe(
      `default-src 'self'; script-src 'self'; connect-src 'self' wss://chat.tapguard.test:${lab.httpsPort}; frame-ancestors 'none'`,
    );
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers.connection).toBe('close');
    expect(r.cert?.issuer.CN).toBe('Tapguard Lab Root CA');
    expect(r.cert?.subject.CN).toBe('mail.tapguard.test');
    expect(r.cert?.subjectaltname).toBe('DNS:mail.tapguard.test, DNS:chat.tapguard.test, DNS:cdn.evil-tracker.test, DNS:ws.chat.tapguard.test, DNS:api.mail.tapguard.test');

    const app = await fetchLab(lab.url('mail', '/program/js/app.min.js'), { ca: trustLab });
    expect(app.status).toBe(200);
    expect(app.headers['content-type']).toBe('application/javascript');
    expect(app.body).toContain('window.rcmail');
    expect((await fetchLab(lab.url('mail', '/skins/elastic/ui.min.js'), { ca: trustLab })).status).toBe(200);
  });

  it('clean: inbox, compose and form posts', async () => {
    for (const path of ['/?_task=mail', '/inbox']) {
      const r = await fetchLab(lab.url('mail', path), { ca: trustLab });
      expect(r.status).toBe(200);
      expect(r.body).toContain('id="messagelist"');
      expect(r.body.match(/<tr id="rcmrow/g)?.length).toBe(10);
      expect(r.body).toContain(`href="https://mail.tapguard.test:${lab.httpsPort}/?_task=mail&amp;_action=compose"`);
    }
    const compose = await fetchLab(lab.url('mail', '/compose'), { ca: trustLab });
    expect(compose.body).toContain(`action="https://mail.tapguard.test:${lab.httpsPort}/?_task=mail&amp;_action=send"`);
    expect(compose.body).toMatch(/<textarea[^>]*name="_message"/);
    const login = await fetchLab(lab.url('mail', '/?_task=login'), { ca: trustLab, method: 'POST', body: '_user=a&_pass=b' });
    expect(login.status).toBe(200);
    const sent = await fetchLab(lab.url('mail', '/?_task=mail&_action=send'), { ca: trustLab, method: 'POST', body: 'x'.repeat(1000) });
    expect(sent.status).toBe(200);
    const tooBig = await fetchLab(lab.url('mail', '/?_task=mail&_action=send'), { ca: trustLab, method: 'POST', body: 'x'.repeat(70 * 1024) });
    expect(tooBig.status).toBe(413);
    const evil = await fetchLab(lab.url('evil', '/inject.js'), { ca: trustLab });
    expect(evil.headers['content-type']).toBe('application/javascript');
    expect(evil.body).toContain('window.__tapguardLabInjected = true;');
    expect((await fetchLab(lab.url('mail', '/nope'), { ca: trustLab })).status).toBe(404);
  });

  it('the ordinary benchmark page: frames, scripts and images on the evil host, every part served, nothing of webmail', async () => {
    const page = await fetchLab(lab.url('evil', '/bench/ordinary'), { ca: trustLab });
    expect(page.status).toBe(200);
    const parts = [...page.body.matchAll(/(?:src|href)="(\/bench\/o\/[^"]+)"/g)].map((m) => m[1]!);
    expect(parts.filter((p) => p.endsWith('.js'))).toHaveLength(6);
    expect(parts.filter((p) => p.includes('/frame-'))).toHaveLength(3);
    const frame = await fetchLab(lab.url('evil', parts.find((p) => p.includes('/frame-'))!), { ca: trustLab });
    parts.push(...[...frame.body.matchAll(/src="(\/bench\/o\/[^"]+)"/g)].map((m) => m[1]!));
    for (const part of new Set(parts)) expect((await fetchLab(lab.url('evil', part), { ca: trustLab })).status, part).toBe(200);
    expect(page.body).not.toMatch(/roundcube|rcmail|mattermost|messagelist/i);
  });

  it('clean: plain http is the service’s own 301 upgrade redirect', async () => {
    const r = await fetchLab(lab.url('mail', '/inbox?x=1', 'http'));
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://mail.tapguard.test:${lab.httpsPort}/inbox?x=1`);
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('interception-ca: same names, issued by the interception CA', async () => {
    const before = await handshake(lab, LAB_HOSTS.mail, trustBoth);
    lab.setScenario('interception-ca');
    const r = await fetchLab(lab.url('mail', '/'), { ca: trustBoth });
    expect(r.status).toBe(200);
    expect(r.cert?.issuer.CN).toBe('Lab Interception Root');
    expect(r.cert?.issuer.O).toBe('Lawful Interception Lab');
    expect(r.cert?.subject.CN).toBe('mail.tapguard.test');
    expect(r.cert?.fingerprint256).not.toBe(before.cert.fingerprint256);
    // A client that trusts only the lab CA rejects it.
    await expect(fetchLab(lab.url('mail', '/'), { ca: trustLab })).rejects.toThrow();
    // An offered session from before the switch is not resumed.
    const after = await handshake(lab, LAB_HOSTS.mail, trustBoth, before.session);
    expect(after.reused).toBe(false);
    expect(after.cert.issuer.CN).toBe('Lab Interception Root');
  });

  it('copycat-ca / copycat-socket: the lab CA\'s names on another key, everywhere or on the socket host alone', async () => {
    const trustCopycat = [lab.copycatCaCertPem];
    const clean = await handshake(lab, LAB_HOSTS.mail, trustLab);
    lab.setScenario('copycat-ca');
    const copied = await handshake(lab, LAB_HOSTS.mail, trustCopycat);
    expect(copied.cert.issuer).toEqual(clean.cert.issuer);
    expect(copied.cert.pubkey?.toString('hex')).not.toBe(clean.cert.pubkey?.toString('hex'));
    await expect(fetchLab(lab.url('mail', '/'), { ca: trustLab })).rejects.toThrow();
    lab.setScenario('copycat-socket');
    expect((await handshake(lab, LAB_HOSTS.mail, trustLab)).cert.fingerprint256).toBe(clean.cert.fingerprint256);
    expect((await handshake(lab, LAB_HOSTS.chatSocket, trustCopycat)).cert.fingerprint256).toBe(copied.cert.fingerprint256);
    lab.setScenario('clean');
    const page = await fetchLab(lab.url('chat', '/?socket=split'), { ca: trustLab });
    expect(page.body).toContain('src="/chat.js?socket=split"');
    const script = await fetchLab(lab.url('chat', '/chat.js?socket=split'), { ca: trustLab });
    expect(script.body).toContain(`wss://${LAB_HOSTS.chatSocket}:${lab.httpsPort}/socket`);
  });

  it('socket-, api- and frame-interception: only the targeted host gets the interception CA (SNI)', async () => {
    for (const [scenario, target] of [
      ['socket-interception', LAB_HOSTS.chatSocket],
      ['api-interception', LAB_HOSTS.mailApi],
      ['frame-interception', LAB_HOSTS.chat],
    ] as const) {
      lab.setScenario(scenario);
      for (const host of [LAB_HOSTS.mail, LAB_HOSTS.chat, LAB_HOSTS.chatSocket, LAB_HOSTS.mailApi]) {
        const { cert } = await handshake(lab, host, trustBoth);
        expect(cert.issuer.CN, `${scenario} ${host}`).toBe(host === target ? 'Lab Interception Root' : 'Tapguard Lab Root CA');
      }
    }
    lab.setScenario('clean');
  });

  it('leaf-rotation: same CA, new leaf fingerprint, serial and key', async () => {
    const a = await handshake(lab, LAB_HOSTS.mail, trustLab);
    lab.setScenario('leaf-rotation');
    const b = await handshake(lab, LAB_HOSTS.mail, trustLab, a.session);
    expect(b.reused).toBe(false);
    expect(b.cert.issuer.CN).toBe('Tapguard Lab Root CA');
    expect(b.cert.subject.CN).toBe('mail.tapguard.test');
    expect(b.cert.fingerprint256).not.toBe(a.cert.fingerprint256);
    expect(b.cert.serialNumber).not.toBe(a.cert.serialNumber);
    expect(b.cert.pubkey?.toString('hex')).not.toBe(a.cert.pubkey?.toString('hex'));
    lab.setScenario('clean');
    const c = await handshake(lab, LAB_HOSTS.mail, trustLab);
    expect(c.cert.fingerprint256).toBe(a.cert.fingerprint256);
  });

  it('http-page: https to mail/chat fails, http serves the stripped page', async () => {
    lab.setScenario('http-page');
    await expect(fetchLab(lab.url('mail', '/'), { ca: trustLab })).rejects.toThrow();
    await expect(fetchLab(lab.url('chat', '/'), { ca: trustLab })).rejects.toThrow();
    const r = await fetchLab(lab.url('mail', '/?_task=mail', 'http'));
    expect(r.status).toBe(200);
    expect(r.body).toContain('id="messagelist"');
    expect(r.body).toContain(`href="http://mail.tapguard.test:${lab.httpPort}/?_task=mail&amp;_action=compose"`);
    expect(r.body).not.toContain('https://');
    expect(r.headers['strict-transport-security']).toBeUndefined();
    const login = await fetchLab(lab.url('mail', '/', 'http'));
    expect(login.body).toContain('<title>Roundcube Webmail :: Welcome to Roundcube Webmail</title>');
    const chatJs = await fetchLab(lab.url('chat', '/chat.js', 'http'));
    expect(chatJs.body).toContain(`new WebSocket("ws://chat.tapguard.test:${lab.httpPort}/socket")`);
  });

  it('https-to-http-redirect: https GET / on mail answers 302 to http', async () => {
    lab.setScenario('https-to-http-redirect');
    const r = await fetchLab(lab.url('mail', '/'), { ca: trustLab });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(`http://mail.tapguard.test:${lab.httpPort}/`);
    const page = await fetchLab(r.headers.location!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="rcmloginuser"');
    expect(page.headers['strict-transport-security']).toBeUndefined();
  });

  it('injected-script: the evil script is in <head> and allowed by the rewritten CSP', async () => {
    lab.setScenario('injected-script');
    const r = await fetchLab(lab.url('mail', '/?_task=mail'), { ca: trustLab });
    const evil = `https://cdn.evil-tracker.test:${lab.httpsPort}`;
    const head = r.body.slice(0, r.body.indexOf('</head>'));
    expect(head).toContain(`<script src="${evil}/inject.js"></script>`);
    expect(r.headers['content-security-policy']).toContain(`script-src 'self' ${evil};`);
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('stripped-headers: no CSP, HSTS or nosniff on mail and chat', async () => {
    lab.setScenario('stripped-headers');
    for (const host of ['mail', 'chat'] as const) {
      const r = await fetchLab(lab.url(host, '/'), { ca: trustLab });
      expect(r.status).toBe(200);
      expect(r.headers['content-security-policy']).toBeUndefined();
      expect(r.headers['strict-transport-security']).toBeUndefined();
      expect(r.headers['x-content-type-options']).toBeUndefined();
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });

  it('chat: page, script and websocket echo over wss; switching scenario drops the socket', async () => {
    const page = await fetchLab(lab.url('chat', '/'), { ca: trustLab });
    expect(page.body).toContain('<title>Lab Chat</title>');
    expect(page.body).toContain('<script src="/chat.js" defer></script>');
    expect(page.headers['content-security-policy']).toContain(`wss://chat.tapguard.test:${lab.httpsPort}`);
    const js = await fetchLab(lab.url('chat', '/chat.js'), { ca: trustLab });
    expect(js.body).toContain(`new WebSocket("wss://chat.tapguard.test:${lab.httpsPort}/socket")`);

    const ws = new WebSocket(`wss://chat.tapguard.test:${lab.httpsPort}/socket`, { ca: trustLab, lookup });
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('hello lab'));
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    expect(echoed).toBe('hello lab');
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    lab.setScenario('leaf-rotation');
    await closed;

    // Plain ws: on the http server too (for downgrade scenarios).
    const plain = new WebSocket(`ws://chat.tapguard.test:${lab.httpPort}/socket`, { lookup });
    const echoedPlain = await new Promise<string>((resolve, reject) => {
      plain.once('open', () => plain.send('plain'));
      plain.once('message', (data) => resolve(String(data)));
      plain.once('error', reject);
    });
    expect(echoedPlain).toBe('plain');
    plain.close();
  });

  it('survives malformed input and logs requests', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = net.connect(lab.httpPort, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'));
      s.on('data', noop).on('error', noop).on('close', () => resolve());
    });
    await new Promise<void>((resolve) => {
      const s = net.connect(lab.httpsPort, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\n\r\n'));
      s.on('data', noop).on('error', noop).on('close', () => resolve());
    });
    const r = await fetchLab(lab.url('mail', '/'), { ca: trustLab });
    expect(r.status).toBe(200);
    const last = lab.requests[lab.requests.length - 1];
    expect(last).toMatchObject({ scheme: 'https', host: 'mail.tapguard.test', path: '/' });
    expect(typeof last?.ts).toBe('number');
  });
});

function noop(): void {}

describe('lab: script-injection scenarios', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.close();
  });
  const trust = () => ({ ca: [lab.caCertPem] });

  it('inline-script adds inline code and loosens the CSP for it', async () => {
    lab.setScenario('inline-script');
    const r = await fetchLab(lab.url('mail', '/'), trust());
    expect(r.body).toMatch(/<script>[^<]*__tapguardLabInline[^<]*<\/script>\n<\/head>/);
    expect(String(r.headers['content-security-policy'])).toContain("'unsafe-inline'");
  });

  it('script-changed serves other bytes under the same versioned URL', async () => {
    lab.setScenario('clean');
    const before = await fetchLab(lab.url('mail', '/program/js/app.min.js?s=1731000000'), trust());
    lab.setScenario('script-changed');
    const after = await fetchLab(lab.url('mail', '/program/js/app.min.js?s=1731000000'), trust());
    expect(after.body).not.toBe(before.body);
    expect(after.body.startsWith(before.body)).toBe(true);
  });

  it('hidden-iframe adds an invisible third-party frame allowed by frame-src', async () => {
    lab.setScenario('hidden-iframe');
    const r = await fetchLab(lab.url('mail', '/?_task=mail'), trust());
    expect(r.body).toContain(`<iframe src="${lab.url('evil', '/frame.html')}" width="1" height="1"`);
    expect(String(r.headers['content-security-policy'])).toContain(`frame-src ${new URL(lab.url('evil', '/')).origin}`);
    expect((await fetchLab(lab.url('evil', '/frame.html'), trust())).status).toBe(200);
  });

  it('blocked-script injects a script but leaves the CSP that refuses it', async () => {
    lab.setScenario('blocked-script');
    const r = await fetchLab(lab.url('mail', '/'), trust());
    expect(r.body).toContain(lab.url('evil', '/inject.js'));
    expect(String(r.headers['content-security-policy'])).toContain("script-src 'self';");
  });

  it('timer-removed-script sends the page up to its implant, early in the body, and the rest once the page asks for it', async () => {
    lab.setScenario('timer-removed-script');
    let released: Promise<Fetched> | undefined;
    // What the implant's timer does in a browser: ask for the rest of the page.
    const r = await fetchLab(lab.url('mail', '/?_task=mail'), { ...trust(), onFirstChunk: () => (released = fetchLab(lab.url('mail', '/lab/release'), trust())) });
    const implant = /<body[^>]*>\n<script>\/\* timer implant[^<]*fetch\('\/lab\/release'\)[^<]*<\/script>/.exec(r.body);
    expect(implant).not.toBeNull();
    expect(r.body).not.toContain('tapguard-lab-hold');
    expect(r.body).toContain('</html>');
    // The first part always arrives on its own: the rest waits for the release.
    expect(r.chunkEnds).toContain(Buffer.byteLength(r.body.slice(0, implant!.index + implant![0].length)));
    expect(r.chunkEnds.at(-1)).toBe(Buffer.byteLength(r.body));
    expect((await released)?.status).toBe(204);
  });

  it('the SVG, document.write and module scenarios add their implants, and the evil host serves svg.js', async () => {
    const expected = {
      'svg-inline-script': '<svg width="0" height="0" aria-hidden="true"><script>/* svg implant',
      'svg-external-script': `<svg width="0" height="0" aria-hidden="true"><script href="${lab.url('evil', '/svg.js')}"></script></svg>`,
      'document-write-script': `<script>document.write('<script>/* written implant`,
      'self-removing-module-script': '<script type="module">/* module implant',
    } as const;
    for (const [scenario, markup] of Object.entries(expected)) {
      lab.setScenario(scenario as keyof typeof expected);
      expect((await fetchLab(lab.url('mail', '/?_task=mail'), trust())).body, scenario).toContain(markup);
    }
    const svg = await fetchLab(lab.url('evil', '/svg.js'), trust());
    expect(svg.headers['content-type']).toBe('application/javascript');
    expect(svg.body).toContain('window.__tapguardLabSvgExternal = true;');
  });

  it('the chat never sends HSTS, so downgrade scenarios can reach it', async () => {
    lab.setScenario('clean');
    const r = await fetchLab(lab.url('chat', '/'), trust());
    expect(r.headers['strict-transport-security']).toBeUndefined();
    lab.setScenario('https-to-http-redirect');
    const redirect = await fetchLab(lab.url('chat', '/'), trust());
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(lab.url('chat', '/', 'http'));
  });
});
