/**
 * Known TLS interceptors, from /work/shared/INTERCEPTORS.md: certificate names of state
 * interception authorities, corporate TLS-inspection boxes, antivirus "web shields", adware and
 * debugging proxies. Each entry keeps its source beside it.
 *
 * Names are claims, not proof: anyone can put "Zscaler Root CA" in a certificate. An entry matches
 * a certificate name (subject or issuer) when every attribute it lists matches, the way Chromium's
 * MITM-software list does (CN and O regexes must both match when both are given). Strings match
 * exactly (case-insensitive); regexes are anchored. Products whose CA is made per tenant or by the
 * administrator (Netskope, Lightspeed, Palo Alto, Check Point, Barracuda, iboss, Menlo) have no
 * default name to match: their non-built-in roots are reported by cert.untrusted-root instead.
 *
 * Source keys: CRA = Chromium ssl_error_assistant.asciipb (MITM software list); CRB = Chromium
 * net/data/ssl/blocklist; OONI = ooni.org "2024-kazakhstan-report"; NVT = Greenbone
 * gb_ms_rogue_root_ca_detect labels; obs = strings seen in public logs (approximate).
 */
import type { CertSummary } from './observations';
import { parseDn } from './x509';

export type InterceptorCategory = 'state' | 'corporate' | 'antivirus' | 'parental' | 'adware' | 'debugging';
type Pattern = string | RegExp;

export interface Interceptor {
  id: string;
  /** Product or actor, as shown to the user. */
  actor: string;
  category: InterceptorCategory;
  /** Attributes of one certificate name; all listed must match. */
  match: { CN?: Pattern; O?: Pattern; OU?: Pattern; C?: Pattern };
  /** "exact": the name is documented; "approximate": a label or a string seen in logs. */
  certainty: 'exact' | 'approximate';
  source: string;
  /** Known certificate fingerprint parts (SHA-256, hex): a match on them makes the name more than a claim. */
  sha256?: { prefix: string; suffix: string };
  /** Hosts the same authority also serves legitimately: there the match is reported one step lower. */
  legitimateHosts?: RegExp;
}

export const INTERCEPTORS: readonly Interceptor[] = [
  // ---- state ----
  { id: 'kz-2019', actor: 'Kazakhstan state interception (2019 "Qaznet" root)', category: 'state', match: { C: 'KZ', CN: 'Qaznet Trust Network' }, certainty: 'exact', source: 'CRB; net4people/bbs#6' },
  { id: 'kz-2020', actor: 'Kazakhstan state interception (Dec 2020)', category: 'state', match: { CN: 'Information Security Certification Authority CA' }, certainty: 'exact', source: 'OONI; net4people/bbs#56; Mozilla bug 1680927' },
  { id: 'kz-2021', actor: 'Kazakhstan state interception (ISCA, 2021–24)', category: 'state', match: { C: 'KZ', O: 'ISCA', CN: 'Information Security Certification Authority' }, certainty: 'exact', source: 'OONI; net4people/bbs#339' },
  { id: 'kz-2015', actor: 'Kazakhstan national root (2015 proposal)', category: 'state', match: { CN: 'НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ' }, certainty: 'exact', source: 'OONI (Mozilla bug 1229827)' },
  {
    id: 'ru-trusted-root',
    actor: 'Russian Trusted Root CA (Russian state CA)',
    category: 'state',
    match: { CN: 'Russian Trusted Root CA' },
    certainty: 'approximate',
    source: 'sectigo/CTLogs PR #34; uazo/cromite#3034',
    // It also signs some Russian sites' own certificates: judge by the host.
    legitimateHosts: /\.(ru|su|xn--p1ai|рф)$/,
  },
  // ---- corporate ----
  { id: 'zscaler', actor: 'Zscaler', category: 'corporate', match: { O: 'Zscaler Inc.', CN: 'Zscaler Root CA' }, certainty: 'exact', source: 'cfpb/zscaler-cert; CRA', sha256: { prefix: '04f61f1d', suffix: '1a53' } },
  { id: 'fortinet-inspection', actor: 'Fortinet FortiGate (default inspection CA)', category: 'corporate', match: { O: 'Fortinet', OU: 'Certificate Authority', CN: /^FG[0-9A-Z]+$/i }, certainty: 'approximate', source: 'Fortinet docs "certificate-inspection"' },
  { id: 'fortinet-ca', actor: 'Fortinet FortiGate', category: 'corporate', match: { CN: 'FortiGate CA' }, certainty: 'exact', source: 'CRA' },
  { id: 'fortinet-org', actor: 'Fortinet FortiGate', category: 'corporate', match: { O: /^Fortinet( Ltd\.)?$/ }, certainty: 'exact', source: 'CRA' },
  { id: 'bluecoat', actor: 'Blue Coat / Symantec ProxySG', category: 'corporate', match: { O: /^Blue Coat.*$/ }, certainty: 'exact', source: 'CRA' },
  { id: 'cisco-umbrella-root', actor: 'Cisco Umbrella', category: 'corporate', match: { O: 'Cisco', CN: 'Cisco Umbrella Root CA' }, certainty: 'exact', source: 'CRA' },
  { id: 'cisco-umbrella-sub', actor: 'Cisco Umbrella', category: 'corporate', match: { CN: 'Cisco Umbrella Primary SubCA' }, certainty: 'exact', source: 'CRA' },
  { id: 'forcepoint', actor: 'Forcepoint / Websense', category: 'corporate', match: { CN: 'Forcepoint Cloud CA', O: 'Forcepoint LLC' }, certainty: 'exact', source: 'CRA' },
  { id: 'sophos', actor: 'Sophos', category: 'corporate', match: { CN: /^(Sophos SSL CA_.*|Sophos_CA_.*|sophosutm Proxy CA|Sophos Web Appliance)$/ }, certainty: 'exact', source: 'CRA' },
  { id: 'mcafee-wg', actor: 'McAfee Web Gateway', category: 'corporate', match: { CN: 'McAfee Web Gateway' }, certainty: 'exact', source: 'CRA' },
  { id: 'cloudflare-gateway', actor: 'Cloudflare Gateway (legacy default CA)', category: 'corporate', match: { O: 'Cloudflare, Inc', CN: 'Cloudflare for Teams ECC Certificate Authority' }, certainty: 'exact', source: 'public PEM (gist papanito)' },
  { id: 'contentkeeper', actor: 'ContentKeeper', category: 'corporate', match: { CN: /^ContentKeeper Appliance CA( \(\d+\))?$/, O: 'ContentKeeper Technologies' }, certainty: 'exact', source: 'CRA' },
  { id: 'cyberoam', actor: 'Cyberoam (shared, leaked key)', category: 'corporate', match: { O: 'Cyberoam Certificate Authority' }, certainty: 'exact', source: 'CRA; CRB' },
  { id: 'sonicwall', actor: 'SonicWall', category: 'corporate', match: { O: /^HTTPS Management Certificate for SonicWALL.*$/ }, certainty: 'exact', source: 'CRA' },
  { id: 'smoothwall', actor: 'Smoothwall', category: 'corporate', match: { CN: 'Smoothwall-default-root-certificate-authority' }, certainty: 'exact', source: 'CRA' },
  { id: 'trendmicro-iwss', actor: 'Trend Micro IWSS', category: 'corporate', match: { CN: /^IWSS\.TREND.*$/ }, certainty: 'exact', source: 'CRA' },
  { id: 'netspark', actor: 'NetSpark', category: 'corporate', match: { CN: 'www.netspark.com', O: 'NetSpark' }, certainty: 'exact', source: 'CRA' },
  // ---- antivirus ----
  { id: 'kaspersky-personal', actor: 'Kaspersky', category: 'antivirus', match: { CN: 'Kaspersky Anti-Virus Personal Root Certificate' }, certainty: 'exact', source: 'CRA' },
  { id: 'kaspersky-web', actor: 'Kaspersky', category: 'antivirus', match: { O: 'AO Kaspersky Lab', CN: 'Kaspersky Web Anti-Virus Certification Authority' }, certainty: 'exact', source: 'keybase/client#7228' },
  { id: 'avast', actor: 'Avast', category: 'antivirus', match: { CN: 'avast! Web/Mail Shield Root', O: 'avast! Web/Mail Shield' }, certainty: 'exact', source: 'CRA' },
  { id: 'avg', actor: 'AVG', category: 'antivirus', match: { CN: 'AVG Web/Mail Shield Root' }, certainty: 'approximate', source: 'obs' },
  { id: 'norton', actor: 'Norton', category: 'antivirus', match: { CN: /^Norton Web\/Mail Shield (Self-signed )?Root$/ }, certainty: 'approximate', source: 'matlab/matlab-mcp-server#100; obs' },
  { id: 'eset', actor: 'ESET', category: 'antivirus', match: { O: 'ESET, spol. s r. o.', CN: 'ESET SSL Filter CA' }, certainty: 'approximate', source: 'obs' },
  { id: 'bitdefender', actor: 'Bitdefender', category: 'antivirus', match: { CN: 'Bitdefender Personal CA.Net-Defender', O: 'Bitdefender' }, certainty: 'exact', source: 'CRA' },
  // ---- parental control (labels only) ----
  { id: 'qustodio', actor: 'Qustodio', category: 'parental', match: { CN: /^Qustodio( CA)?\b.*$/i }, certainty: 'approximate', source: 'NVT' },
  { id: 'keepmyfamilysecure', actor: 'KeepMyFamilySecure', category: 'parental', match: { CN: /^KeepMyFamilySecure\b.*$/i }, certainty: 'approximate', source: 'NVT' },
  { id: 'kurupira', actor: 'Kurupira.NET', category: 'parental', match: { CN: /^Kurupira\.NET\b.*$/i }, certainty: 'approximate', source: 'NVT' },
  { id: 'adguard', actor: 'AdGuard', category: 'parental', match: { CN: /^AdGuard (Personal )?CA\b.*$/i }, certainty: 'approximate', source: 'NVT' },
  // ---- adware ----
  { id: 'superfish', actor: 'Superfish', category: 'adware', match: { O: 'Superfish, Inc.', CN: 'Superfish, Inc.' }, certainty: 'exact', source: 'CRB' },
  { id: 'edellroot', actor: 'Dell eDellRoot', category: 'adware', match: { CN: 'eDellRoot' }, certainty: 'exact', source: 'CRB' },
  { id: 'dsdtestprovider', actor: 'Dell DSDTestProvider', category: 'adware', match: { CN: 'DSDTestProvider' }, certainty: 'exact', source: 'CRB' },
  { id: 'privdog', actor: 'PrivDog (Komodia family)', category: 'adware', match: { CN: 'PrivDog Secure Connection Inspector CA' }, certainty: 'approximate', source: 'NVT' },
  { id: 'komodia-harmony', actor: 'Komodia "Harmony"', category: 'adware', match: { CN: 'Harmony' }, certainty: 'approximate', source: 'NVT' },
  // ---- debugging proxies ----
  { id: 'mitmproxy', actor: 'mitmproxy', category: 'debugging', match: { CN: 'mitmproxy', O: 'mitmproxy' }, certainty: 'exact', source: 'mitmproxy mitmproxy/certs.py' },
  { id: 'fiddler-classic', actor: 'Fiddler Classic', category: 'debugging', match: { CN: 'DO_NOT_TRUST_FiddlerRoot', O: 'DO_NOT_TRUST' }, certainty: 'exact', source: 'vcsjones/FiddlerCertGen' },
  { id: 'fiddler-everywhere', actor: 'Fiddler Everywhere', category: 'debugging', match: { CN: 'Fiddler Root Certificate Authority' }, certainty: 'exact', source: 'telerik/fiddler-everywhere-docs' },
  { id: 'burp', actor: 'Burp Suite', category: 'debugging', match: { O: 'PortSwigger', OU: 'PortSwigger CA', CN: 'PortSwigger CA' }, certainty: 'approximate', source: 'obs' },
  { id: 'charles', actor: 'Charles Proxy', category: 'debugging', match: { CN: /^Charles Proxy CA( \(.*\))?$/ }, certainty: 'approximate', source: 'obs' },
  { id: 'proxyman', actor: 'Proxyman', category: 'debugging', match: { CN: /^Proxyman CA( \(.*\))?$/ }, certainty: 'approximate', source: 'obs' },
  { id: 'httptoolkit', actor: 'HTTP Toolkit', category: 'debugging', match: { CN: 'HTTP Toolkit CA' }, certainty: 'exact', source: 'httptoolkit/httptoolkit-server src/index.ts' },
];

function matches(pattern: Pattern, values: readonly string[]): boolean {
  if (typeof pattern === 'string') return values.some((v) => v.toLowerCase() === pattern.toLowerCase());
  return values.some((v) => pattern.test(v));
}

/** The first interceptor whose pattern matches this certificate name, if any. */
export function interceptorForName(dn: string): Interceptor | undefined {
  if (!dn) return undefined;
  const attributes = parseDn(dn);
  const valuesOf = (type: string) => attributes.filter(([t]) => t === type).map(([, v]) => v);
  return INTERCEPTORS.find((entry) =>
    Object.entries(entry.match).every(([type, pattern]) => pattern !== undefined && matches(pattern, valuesOf(type))),
  );
}

export interface InterceptorMatch {
  interceptor: Interceptor;
  /** Index in the chain (0 = leaf) of the first certificate that matched. */
  position: number;
  cert: CertSummary;
  /** Which of that certificate's names matched. */
  field: 'subject' | 'issuer';
  /** Whether the certificate is the one whose fingerprint is documented; null when none is. */
  fingerprintMatches: boolean | null;
}

/**
 * Every known interceptor named anywhere in a chain (subjects and issuers of all certificates:
 * intermediates identify a product too), one match per product, in chain order.
 */
export function findInterceptors(chain: readonly CertSummary[]): InterceptorMatch[] {
  const found = new Map<string, InterceptorMatch>();
  chain.forEach((cert, position) => {
    for (const field of ['subject', 'issuer'] as const) {
      const interceptor = interceptorForName(cert[field]);
      if (!interceptor || found.has(interceptor.actor)) continue;
      const hint = interceptor.sha256;
      // The fingerprint is of the CA certificate itself, so it can only be checked on a subject match.
      const fingerprintMatches =
        hint && field === 'subject' ? cert.sha256.startsWith(hint.prefix) && cert.sha256.endsWith(hint.suffix) : null;
      found.set(interceptor.actor, { interceptor, position, cert, field, fingerprintMatches });
    }
  });
  return [...found.values()];
}
