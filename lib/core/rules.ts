/** Stable rule ids (the export and the tests depend on them); kind = the family before the dot. */
export const RULE_IDS = [
  'tls.http-page',
  'tls.https-to-http-redirect',
  'tls.insecure-form',
  'tls.insecure-websocket',
  'tls.mixed-content',
  'tls.weak-protocol',
  'tls.weak-cipher',
  'tls.hsts-dropped',
  'cert.untrusted-root',
  'cert.issuer-changed',
  'cert.key-changed',
  'cert.known-interceptor',
  'cert.error',
  'cert.error-bypassed',
  'cert.expired',
  'cert.weak-signature',
  'cert.ct-missing',
  'script.new-origin',
  'script.new-inline',
  'script.content-changed',
  'script.csp-dropped',
  'script.csp-violation',
  'script.hidden-iframe',
  'script.by-extension',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface RuleText {
  /** Short plain-language statement of what was seen; `{host}` is replaced by the host. */
  title: string;
  /** One or two sentences: what it means and what to do. */
  advice: string;
}

const STOP = 'Do not log in or send anything sensitive on this network; switch to a connection you trust (mobile data, a trusted VPN) and check again.';

// Plain English first; the popup and log read only from here, so a translation replaces this table.
export const RULE_TEXT: Record<RuleId, RuleText> = {
  'tls.http-page': {
    title: '{host} was opened without encryption (http)',
    advice: `This service normally uses HTTPS, so someone on the network may have stripped the encryption. ${STOP}`,
  },
  'tls.https-to-http-redirect': {
    title: 'A secure link to {host} was redirected to an unencrypted page',
    advice: `Services do not send you from HTTPS back to HTTP; this is how SSL-stripping attacks work. ${STOP}`,
  },
  'tls.insecure-form': {
    title: 'A login or message form on {host} would be sent without encryption',
    advice: 'Do not type your password or message into this page: it would cross the network in the clear. Use a trusted connection.',
  },
  'tls.insecure-websocket': {
    title: 'Chat traffic on {host} uses an unencrypted connection (ws:)',
    advice: 'Messages on this page can be read by anyone on the network path. Stop chatting here and use a trusted connection.',
  },
  'tls.mixed-content': {
    title: 'Parts of {host} were loaded without encryption',
    advice: 'An attacker on the network could change these parts of the page. Avoid sensitive actions until the page loads fully over HTTPS.',
  },
  'tls.weak-protocol': {
    title: 'The connection to {host} uses an outdated TLS version',
    advice: 'Major services do not use TLS below 1.2; a middlebox may be downgrading you. Avoid sensitive actions on this network.',
  },
  'tls.weak-cipher': {
    title: 'The connection to {host} uses weak encryption',
    advice: 'The cipher in use is not forward-secret or not authenticated encryption, which services no longer choose. Avoid sensitive actions on this network.',
  },
  'tls.hsts-dropped': {
    title: '{host} stopped sending its HTTPS-only protection (HSTS)',
    advice: 'Earlier visits had this header; someone in the middle may have removed it to make later downgrades possible. Be careful on this network.',
  },
  'cert.untrusted-root': {
    title: 'Your connection to {host} is probably being intercepted',
    advice: `The certificate chain ends in a root certificate your browser does not ship: someone installed it to read encrypted traffic. ${STOP}`,
  },
  'cert.issuer-changed': {
    title: 'The certificate authority of {host} changed',
    advice: 'Earlier visits were signed by a different authority. This can be routine, but it is also what interception looks like: compare the old and new issuer and ask the service or your IT contact.',
  },
  'cert.key-changed': {
    title: 'The certificate key of {host} changed',
    advice: 'Services rotate keys, but an interceptor always presents its own key. If the issuer also changed, treat it as interception.',
  },
  'cert.known-interceptor': {
    title: 'A known interception product sits between you and {host}',
    advice: 'The certificate was issued by a TLS-inspection product or a state interception authority, which can read everything on this page. Use a connection and device you trust.',
  },
  'cert.error': {
    title: 'The browser rejected the certificate of {host}',
    advice: 'Certificate errors on a mail or chat service often mean someone tried to intercept the connection. Do not click through; try another network.',
  },
  'cert.error-bypassed': {
    title: 'A certificate warning for {host} was clicked through',
    advice: `The page is open despite an invalid certificate, so the connection may be intercepted. ${STOP}`,
  },
  'cert.expired': {
    title: 'The certificate of {host} is expired or not yet valid',
    advice: 'Large services renew on time; an interceptor with a wrong clock or a stale certificate may be in the middle. Avoid sensitive actions.',
  },
  'cert.weak-signature': {
    title: 'The certificate of {host} uses a weak signature or key',
    advice: 'Public authorities no longer issue such certificates; this one may have been made by an interceptor. Avoid sensitive actions.',
  },
  'cert.ct-missing': {
    title: 'The certificate of {host} was not publicly logged',
    advice: 'Public certificates are recorded in Certificate Transparency logs; a missing record suggests a privately issued, possibly intercepting certificate.',
  },
  'script.new-origin': {
    title: 'A script from a new source appeared on {host}',
    advice: 'This page loaded code from a place it never used before. Injected scripts can read your messages as you type: avoid sensitive actions until you know where it came from.',
  },
  'script.new-inline': {
    title: 'New inline code appeared on {host}',
    advice: 'The page carries script text it did not have on earlier visits. It may be an update, or code injected on the way: be careful.',
  },
  'script.content-changed': {
    title: 'A script of {host} changed under the same address',
    advice: 'A versioned script should never change; someone may have modified it in transit. Avoid sensitive actions.',
  },
  'script.csp-dropped': {
    title: 'The script protection (CSP) of {host} was weakened or removed',
    advice: 'The page no longer restricts where scripts come from as it did before, which injection needs. Be careful on this network.',
  },
  'script.csp-violation': {
    title: "{host}'s own protection blocked a script",
    advice: 'The page refused code it did not expect. The attempt failed, but something tried to add code to this page.',
  },
  'script.hidden-iframe': {
    title: 'A hidden frame from another site was added to {host}',
    advice: 'Invisible third-party frames on a mail or chat page can be used to track or attack you. Be careful.',
  },
  'script.by-extension': {
    title: 'One of your browser extensions adds code to {host}',
    advice: 'This comes from an extension you installed, not from the network. Make sure you trust it: extensions can read your mail.',
  },
};

export function describe(rule: RuleId, host: string): RuleText {
  const text = RULE_TEXT[rule];
  return { title: text.title.replaceAll('{host}', host), advice: text.advice };
}
