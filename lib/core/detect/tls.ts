import type { CertObservation, FormRef, HeadersObservation, PageObservation, RedirectObservation, RequestObservation } from '../observations';
import type { Finding, Severity } from '../types';
import { hostOf, sanitiseUrl } from '../url';
import type { DetectContext } from './context';

const isHttp = (url: string) => url.startsWith('http:');
const isHttps = (url: string) => url.startsWith('https:');

/**
 * tls.http-page: a messaging page arrived over plain http although the service is known to use
 * HTTPS (every built-in service does; a self-hosted one once the baseline saw it over https).
 * That is the signature of SSL stripping, so it is critical.
 */
export function detectHttpPage(page: PageObservation, ctx: DetectContext): Finding[] {
  if (!isHttp(page.url)) return [];
  const knownHttps = ctx.site.source === 'builtin' || ctx.baseline?.seenHttps === true;
  if (!knownHttps) return [];
  return [
    {
      rule: 'tls.http-page',
      severity: 'critical',
      host: hostOf(page.url),
      url: page.url,
      evidence: {
        scheme: 'http',
        expectedHttpsBecause: ctx.site.source === 'builtin' ? `built-in profile: ${ctx.site.name}` : 'earlier visits were over https',
        baselineFirstSeen: ctx.baseline?.firstSeen ?? null,
      },
      dedupeParts: [],
    },
  ];
}

/**
 * tls.https-to-http-redirect: a redirect chain that started at https on a messaging host and
 * reaches http, on any hop and via any intermediate host. The reverse (a service's own http→https
 * upgrade) is how HTTPS is meant to work and is never reported.
 */
export function detectDowngradeRedirect(hop: RedirectObservation, ctx: DetectContext): Finding[] {
  if (!isHttp(hop.toUrl) || !(isHttps(hop.firstUrl) || isHttps(hop.fromUrl))) return [];
  const landsOnSite = hostOf(hop.toUrl) === ctx.site.host;
  return [
    {
      rule: 'tls.https-to-http-redirect',
      severity: landsOnSite ? 'critical' : 'high',
      host: ctx.site.host,
      url: hop.firstUrl,
      evidence: {
        firstUrl: sanitiseUrl(hop.firstUrl),
        fromUrl: sanitiseUrl(hop.fromUrl),
        toUrl: sanitiseUrl(hop.toUrl),
        resourceType: hop.resourceType,
      },
      dedupeParts: [hostOf(hop.toUrl)],
    },
  ];
}

/**
 * tls.insecure-form: a form that would send a password or a message in the clear. Judged when
 * the form appears, so the popup can warn before anything is typed.
 */
export function detectInsecureForms(pageUrl: string, forms: readonly FormRef[], ctx: DetectContext): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const form of forms) {
    const clearAction = isHttp(form.action);
    const clearPage = isHttp(pageUrl) && form.hasPassword;
    if (!clearAction && !clearPage) continue;
    const target = sanitiseUrl(form.action);
    const key = `${target}|${form.hasPassword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({
      rule: 'tls.insecure-form',
      severity: form.hasPassword ? 'critical' : 'high',
      host: ctx.site.host,
      url: pageUrl,
      evidence: { action: target, hasPassword: form.hasPassword, pageScheme: new URL(pageUrl).protocol.slice(0, -1) },
      dedupeParts: [target, form.hasPassword ? 'password' : 'message'],
    });
  }
  return findings;
}

/** tls.insecure-websocket: a chat socket in the clear (ws:) from a messaging page. */
export function detectInsecureWebSocket(request: RequestObservation, ctx: DetectContext): Finding[] {
  if (!request.url.startsWith('ws:')) return [];
  return [
    {
      rule: 'tls.insecure-websocket',
      severity: 'high',
      host: ctx.site.host,
      url: request.pageUrl,
      evidence: { socketUrl: sanitiseUrl(request.url), pageUrl: sanitiseUrl(request.pageUrl) },
      dedupeParts: [hostOf(request.url)],
    },
  ];
}

/** Resource types whose content can change what the page does; anything else is passive. */
const ACTIVE_TYPES = new Set(['script', 'sub_frame', 'xmlhttprequest', 'object', 'object_subrequest', 'websocket', 'stylesheet', 'beacon', 'ping', 'other']);

/** tls.mixed-content: http subresources of an https messaging page; active content is high. */
export function detectMixedContent(request: RequestObservation, ctx: DetectContext): Finding[] {
  if (!isHttps(request.pageUrl) || !isHttp(request.url)) return [];
  const active = ACTIVE_TYPES.has(request.resourceType);
  return [
    {
      rule: 'tls.mixed-content',
      severity: active ? 'high' : 'low',
      host: ctx.site.host,
      url: request.pageUrl,
      evidence: { resourceUrl: sanitiseUrl(request.url), resourceType: request.resourceType, active },
      dedupeParts: [hostOf(request.url), active ? 'active' : 'passive'],
    },
  ];
}

export function parseHstsMaxAge(header: string | null): number | null {
  if (header === null) return null;
  const match = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(header);
  return match ? Number(match[1]) : null;
}

/**
 * tls.hsts-dropped: the host once sent Strict-Transport-Security and now sends none, or a
 * shorter max-age. Removing HSTS is the preparation for a later strip, so even a lone drop counts.
 */
export function detectHstsDropped(headers: HeadersObservation, ctx: DetectContext): Finding[] {
  const before = ctx.baseline?.hstsMaxAge;
  if (!isHttps(headers.url) || before === undefined || before === null || before <= 0) return [];
  const now = parseHstsMaxAge(headers.strictTransportSecurity);
  if (now !== null && now >= before) return [];
  return [
    {
      rule: 'tls.hsts-dropped',
      severity: now === null || now === 0 ? 'medium' : 'low',
      host: ctx.site.host,
      url: headers.url,
      evidence: { baselineMaxAge: before, header: headers.strictTransportSecurity, maxAge: now },
      dedupeParts: [now === null ? 'missing' : `max-age=${now}`],
    },
  ];
}

const WEAK_PROTOCOLS = new Set(['SSLv3', 'TLSv1', 'TLSv1.0', 'TLSv1.1']);

/** Not forward-secret (static RSA key exchange) or not AEAD (CBC, RC4, 3DES, NULL). */
export function cipherWeakness(cipher: string): string | undefined {
  if (/_WITH_NULL_|_NULL_|NULL$/.test(cipher)) return 'no encryption';
  if (/RC4|3DES|_DES_|EXPORT/.test(cipher)) return 'broken cipher';
  if (/^TLS_RSA_WITH_/.test(cipher)) return 'not forward-secret';
  if (/_CBC_/.test(cipher)) return 'not authenticated encryption (CBC)';
  return undefined;
}

/** tls.weak-protocol and tls.weak-cipher, from what the browser negotiated (Firefox). */
export function detectWeakTls(cert: CertObservation, ctx: DetectContext): Finding[] {
  const findings: Finding[] = [];
  const base = { host: ctx.site.host, url: cert.url };
  if (cert.protocolVersion && WEAK_PROTOCOLS.has(cert.protocolVersion)) {
    findings.push({
      ...base,
      rule: 'tls.weak-protocol',
      severity: 'high',
      evidence: { protocol: cert.protocolVersion, cipher: cert.cipherSuite ?? null, resourceType: cert.resourceType },
      dedupeParts: [cert.protocolVersion],
    });
  }
  const reason = cert.cipherSuite ? cipherWeakness(cert.cipherSuite) : undefined;
  const flagged = cert.weaknessReasons?.includes('cipher');
  if (cert.cipherSuite && (reason || flagged)) {
    const severity: Severity = reason === 'no encryption' || reason === 'broken cipher' ? 'high' : 'medium';
    findings.push({
      ...base,
      rule: 'tls.weak-cipher',
      severity,
      evidence: { cipher: cert.cipherSuite, reason: reason ?? 'browser reports a weak cipher', protocol: cert.protocolVersion ?? null },
      dedupeParts: [cert.cipherSuite],
    });
  }
  return findings;
}
