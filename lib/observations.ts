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
  chain: CertSummary[];
}
