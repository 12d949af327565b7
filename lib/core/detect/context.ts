import type { Baseline } from '../baseline';
import type { MonitoredSite } from '../sites';

/** Everything a detector may consult besides the observation. Detectors never read storage. */
export interface DetectContext {
  site: MonitoredSite;
  /** The baseline as it was before this observation; undefined on the first visit. */
  baseline: Baseline | undefined;
  /** Root certificate sha256 fingerprints the user or an administrator trusts for this host. */
  trustedRoots: readonly string[];
  /** The user's setting: evidence may quote page code (inline previews, CSP samples). Off unless set. */
  inlinePreviews?: boolean;
}
