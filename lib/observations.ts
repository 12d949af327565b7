/** Observations: what the browser showed, before any judgement. Detectors turn them into findings. */

export interface ScriptRef {
  /** Absolute URL of an external script. */
  src?: string;
  /** sha256 of an inline script's text. */
  inlineSha256?: string;
}

export interface PageObservation {
  url: string;
  /** Recogniser id when the page's DOM identified a self-hosted messaging app. */
  recognisedAs?: string;
  scripts: ScriptRef[];
  forms?: FormRef[];
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
}

export interface CertObservation {
  url: string;
  /** webRequest resource type: main_frame, script, websocket… */
  resourceType: string;
  state: string;
  protocolVersion?: string;
  cipherSuite?: string;
  /** Firefox's own verdicts, e.g. ["cipher"]. */
  weaknessReasons?: string[];
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
