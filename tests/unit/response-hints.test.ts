import { describe, expect, it } from 'vitest';
import { RECOGNITION_PAGES } from '../../lab/recognition-pages';
import { recognitionResponseHeaders, ROUNDCUBE_SESSION_COOKIE } from '../../lab/recognition-pages';
import { RECOGNISERS } from '@/lib/core/sites/recognise';
import { API_PATH_HINTS, hintsFromApiRequest, hintsFromResponse, RESPONSE_MARKERS, type ResponseHeader } from '@/lib/core/sites/response-hints';

const response = (url: string, headers: Record<string, string | string[]> = {}, statusCode = 200) => ({
  url,
  statusCode,
  headers: Object.entries(headers).flatMap(([name, value]): ResponseHeader[] => (Array.isArray(value) ? value.map((v) => ({ name, value: v })) : [{ name, value }])),
});

/** What ordinary sites send: a CMS, a CDN, a Django and a Rails app, an analytics cookie, a shop. */
const ORDINARY = [
  response('https://news.example.com/2026/11/30/story.html', { server: 'cloudflare', 'cf-ray': '8a1b2c3d4e5f-FRA', 'set-cookie': ['__cf_bm=abc; path=/; HttpOnly', '_ga=GA1.2.3; path=/'], 'x-request-id': 'f00' }),
  response('https://blog.example.org/?p=42', { 'x-powered-by': 'PHP/8.2', link: '<https://blog.example.org/wp-json/>; rel="https://api.w.org/"', 'set-cookie': 'wordpress_test_cookie=WP%20Cookie%20check; path=/' }),
  response('https://app.example.net/accounts/login/', { 'set-cookie': ['csrftoken=x; Path=/; SameSite=Lax', 'sessionid=y; HttpOnly'], 'x-frame-options': 'DENY' }),
  response('https://gitlab.example.com/dashboard', { 'x-gitlab-meta': '{}', 'x-request-id': 'r', 'set-cookie': '_gitlab_session=z; path=/; HttpOnly' }),
  response('https://shop.example.com/cart?item=owa', { 'set-cookie': ['PHPSESSID=1; path=/', 'ClientId=7; path=/'], 'x-version': '3' }),
  response('https://www.example.com/', {}),
];

describe('response hints', () => {
  it('hint each product from its own real markers', () => {
    const cases: [string, ReturnType<typeof response>][] = [
      ['roundcube', response('https://webmail.example.org/?_task=mail&_mbox=INBOX')],
      ['roundcube', response('https://webmail.example.org/', { 'set-cookie': ROUNDCUBE_SESSION_COOKIE })],
      ['sogo', response('https://mail.example.org/SOGo/so/jane/Mail/view')],
      ['sogo', response('https://mail.example.org/', { 'set-cookie': '0xHIGHFLYxSOGo=discard; path=/' })],
      ['snappymail', response('https://example.org/snappymail/')],
      ['zimbra', response('https://mail.example.org/', { 'set-cookie': ['ZM_TEST=true; Secure', 'ZM_LOGIN_CSRF=abc; Secure; HttpOnly'] })],
      ['horde', response('https://example.org/horde/login.php')],
      ['horde', response('https://mail.example.org/', { 'Set-Cookie': 'Horde=8f2c; path=/; secure; HttpOnly' })],
      ['mattermost', response('https://chat.example.org/login', { 'X-Version-Id': '9.11.0.10984338553.false', 'X-Request-Id': 'r' })],
      ['rocketchat', response('https://chat.example.org/home', { 'X-Instance-ID': 'dXh3rzm9DkuyffH6S' })],
      ['owa', response('https://mail.example.org/owa/auth/logon.aspx?replaceCurrent=1')],
      ['owa', response('https://exchange.example.org/', { 'X-OWA-Version': '15.1.2507.6', 'X-FEServer': 'EXCH01' })],
      ['nextcloud-mail', response('https://cloud.example.org/apps/mail/box/priority')],
      ['nextcloud-talk', response('https://cloud.example.org/index.php/call/a1b2c3d4')],
      ['nextcloud-talk', response('https://cloud.example.org/', { 'set-cookie': 'nc_sameSiteCookielax=true; path=/' })],
      ['ox-appsuite', response('https://ox.example.org/appsuite/')],
      ['ox-appsuite', response('https://mail.example.org/', { 'set-cookie': 'open-xchange-public-session-DowOGKzrhC469zIZKWivA=9144; path=/' })],
      ['grommunio', response('https://mail.example.org/webapp/')],
      ['grommunio', response('https://mail.example.org/', { 'set-cookie': 'KOPANO_WEBAPP=3c9f; path=/' })],
    ];
    for (const [id, r] of cases) expect(hintsFromResponse(r), `${id}: ${r.url}`).toContain(id);
  });

  it('read Firefox’s Set-Cookie, several cookies in one value, one per line', () => {
    expect(hintsFromResponse(response('https://mail.example.org/', { 'set-cookie': 'lang=en; path=/\nroundcube_sessid=1; path=/' }))).toEqual(['roundcube']);
  });

  it('miss ordinary responses and look-alike names', () => {
    for (const r of ORDINARY) expect(hintsFromResponse(r), r.url).toEqual([]);
    const lookalikes = [
      response('https://blog.example.org/how-to-install-roundcube/?task=mail'),
      response('https://example.org/sogo-is-great/'),
      response('https://example.org/news/owa-outage'),
      response('https://example.org/apps/mailchimp'),
      response('https://example.org/', { 'set-cookie': ['roundcube_fan=1', 'MMAUTHTOKENS=1', 'xHorde=1', 'X-OWA-CANARY-ish=1'] }),
      response('https://example.org/', { 'x-version': '1', 'x-owa': '1' }),
      response('ftp://example.org/owa/'),
      response('not a url'),
    ];
    for (const r of lookalikes) expect(hintsFromResponse(r), r.url).toEqual([]);
  });

  it('name only recognisers that exist', () => {
    const ids = new Set(RECOGNISERS.map((r) => r.id));
    for (const id of [...RESPONSE_MARKERS, ...API_PATH_HINTS].flatMap((m) => m.ids)) expect(ids.has(id), id).toBe(true);
  });

  it('agree with what the lab serves: real pages hinted where the product’s server marks them, look-alikes not', () => {
    for (const [id, pages] of Object.entries(RECOGNITION_PAGES)) {
      for (const name of Object.keys(pages.real)) {
        const hints = hintsFromResponse(response(`https://lab.example/recognition/${id}/${name}`, recognitionResponseHeaders(id, name)));
        if (Object.keys(recognitionResponseHeaders(id, name)).length) expect(hints, `${id}/${name}`).toContain(id);
      }
      for (const name of Object.keys(pages.lookalikes)) {
        const hints = hintsFromResponse(response(`https://lab.example/recognition/${id}/lookalike-${name}`, recognitionResponseHeaders(id, `lookalike-${name}`)));
        // Nextcloud Files is a real Nextcloud: hinted, and left to the DOM recogniser to refuse.
        expect(hints, `${id}/lookalike-${name}`).toEqual(name === 'nextcloud-files' ? ['nextcloud-mail', 'nextcloud-talk'] : []);
      }
    }
  });
});

describe('API request hints', () => {
  it('hint the apps whose pages make them', () => {
    expect(hintsFromApiRequest('https://matrix.example.org/_matrix/client/versions')).toEqual(['element-web']);
    expect(hintsFromApiRequest('https://chat.example.org/json/events?dont_block=true&queue_id=1')).toEqual(['zulip']);
    expect(hintsFromApiRequest('wss://meet.example.org/xmpp-websocket?room=x')).toEqual(['jitsi']);
    expect(hintsFromApiRequest('https://meet.example.org/http-bind?room=x')).toEqual(['jitsi']);
    expect(hintsFromApiRequest('https://voice.example.org/mumble/config.local.js')).toEqual(['mumble-web']);
  });

  it('miss other requests', () => {
    for (const url of ['https://example.org/api/json/events', 'https://example.org/_matrix/federation/v1/version', 'https://example.org/config.local.json', 'https://example.org/static/http-binding.js', 'not a url']) {
      expect(hintsFromApiRequest(url), url).toEqual([]);
    }
  });
});
