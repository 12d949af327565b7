/** Observations: what the browser showed, before any judgement. Detectors turn them into findings. */

export interface ScriptRef {
  /** Absolute URL of an external script. */
  src?: string;
  /** sha256 of an inline script's text. */
  inlineSha256?: string;
  /** First 200 characters of an inline script, as evidence. */
  preview?: string;
  /** Whether an external script carried a Subresource Integrity attribute. */
  integrity?: boolean;
  /** Inserted by page code after load, rather than by the parser. */
  dynamic?: boolean;
  /**
   * Code that would have escaped a plain DOM walk, and how: it ran in a `srcdoc` frame, it came
   * after a DOMContentLoaded the page dispatched itself, the parser ran it and, before
   * DOMContentLoaded, its element was gone or its text was no longer what ran, or it is an SVG
   * script element (not an HTML one, so not in `document.scripts`).
   */
  hidden?: 'srcdoc' | 'synthetic-load' | 'self-removed' | 'rewritten' | 'svg';
  /** Seen by the background on the network (lib/background/network-inventory.ts), never sent by a page. */
  network?: true;
}

/** An iframe on a messaging page, with whether a user could see it. */
export interface FrameRef {
  src: string;
  hidden: boolean;
  width: number;
  height: number;
}

/** A `securitypolicyviolation` event: the page's own CSP refused something. */
export interface CspViolation {
  blockedUrl: string;
  directive: string;
  sample?: string;
}

/** The bytes of a script response, hashed as they streamed through (Firefox). */
export interface ScriptBytesObservation {
  url: string;
  pageUrl: string;
  /** Absent when the body was too large to hash (lib/background/firefox/script-bytes.ts). */
  sha256?: string;
  /** The URL or its caching headers say this exact URL should never change. */
  immutable: boolean;
}

export interface PageObservation {
  url: string;
  /** Recogniser id when the page's DOM identified a self-hosted messaging app. */
  recognisedAs?: string;
  scripts: ScriptRef[];
  forms?: FormRef[];
  frames?: FrameRef[];
  violations?: CspViolation[];
  /** The page carried more scripts than the content script inventories (page-observer.ts). */
  scriptBudgetExceeded?: boolean;
}

export interface CertSummary {
  subject: string;
  issuer: string;
  sha256: string;
  spkiSha256: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  isBuiltInRoot: boolean;
  /** Read from the certificate's DER (Firefox `rawDER`); absent when it could not be read. */
  signatureAlgorithm?: string;
  /** Hash inside the signature algorithm: "sha256", "sha1", "md5"… */
  signatureHash?: string;
  keyAlgorithm?: string;
  /** RSA modulus or EC curve size in bits. */
  keyBits?: number;
}

/**
 * Chrome's routes to a certificate: the debugger's network events (`debugger`), the debugger after
 * a probe request of tapguard's own, for a page loaded before it attached or a websocket
 * (`debugger-probe`), and the proposed standard webRequest `securityInfo` (`webrequest`).
 */
export type CertSource = 'debugger' | 'debugger-probe' | 'webrequest';

export interface CertObservation {
  url: string;
  /** webRequest resource type: main_frame, script, websocket… */
  resourceType: string;
  state: string;
  protocolVersion?: string;
  cipherSuite?: string;
  /** Firefox's own verdicts, e.g. ["cipher"]. */
  weaknessReasons?: string[];
  /** Firefox: "policy_compliant", "policy_not_enough_scts", "policy_not_diverse_scts", "not_applicable", "unknown". */
  certificateTransparencyStatus?: string;
  /** Firefox: set when the user overrode a certificate error ("trust_error", "domain_mismatch", "expired_or_not_yet_valid"). */
  overridableErrorCategory?: string;
  isUntrusted?: boolean;
  isDomainMismatch?: boolean;
  isNotValidAtThisTime?: boolean;
  /** Firefox's message when the handshake itself reported an error (state "broken"). */
  errorMessage?: string;
  /** False where the browser does not say whether the root is built in (Chrome deep inspection). */
  rootTrustKnown?: boolean;
  /** 'leaf': the browser showed the server's certificate alone (proposed webRequest securityInfo), no chain. */
  chainScope?: 'leaf';
  /** Where a Chrome certificate came from; Firefox observations carry none (getSecurityInfo). */
  source?: CertSource;
  chain: CertSummary[];
}

/** A form on a messaging page, judged before the user submits it. */
export interface FormRef {
  /** Resolved absolute action URL (the page URL when the form has no action). */
  action: string;
  hasPassword: boolean;
}

/** One hop of a redirect chain, with where the chain started. */
export interface RedirectObservation {
  firstUrl: string;
  fromUrl: string;
  toUrl: string;
  resourceType: string;
}

/** A request made by a messaging page (subresource, XHR, socket). */
export interface RequestObservation {
  url: string;
  pageUrl: string;
  resourceType: string;
}

/** Security headers of a messaging host's document response. */
export interface HeadersObservation {
  url: string;
  strictTransportSecurity: string | null;
  contentSecurityPolicy: string | null;
}
