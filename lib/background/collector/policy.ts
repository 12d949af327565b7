import { browser } from '../../browser';
import { SEVERITIES, type Severity } from '../../core/types';

/**
 * The organisation collector, configured ONLY by an administrator's policy (`storage.managed`,
 * key `collector`): nothing the user or a page can write turns it on, and without it tapguard makes
 * no request of its own.
 */
export const COLLECTOR_FORMATS = ['clickhouse', 'loki', 'splunk-hec', 'elastic-bulk', 'ocsf-json'] as const;
export type CollectorFormat = (typeof COLLECTOR_FORMATS)[number];

export interface CollectorPolicy {
  url: string;
  format: CollectorFormat;
  /** Sent as the format's credential header; never shown, never stored outside the policy. */
  token?: string;
  /** Incidents below this severity stay in the browser. */
  minSeverity: Severity;
  /** A label for this browser (desk, person, asset tag), sent with every incident. */
  device?: string;
}

export const DEFAULT_MIN_SEVERITY: Severity = 'medium';
const MAX_URL = 2048;
const MAX_TOKEN = 4096;
const MAX_DEVICE = 200;
// A header value with a line break could smuggle headers; control characters have no place in a label.
const hasControl = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A valid policy, or undefined: a broken policy reports nothing rather than something wrong. */
export function normaliseCollectorPolicy(raw: unknown): CollectorPolicy | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const input = raw as Record<string, unknown>;
  const url = collectorUrl(input.url);
  const format = COLLECTOR_FORMATS.find((f) => f === input.format);
  if (!url || !format) return undefined;
  const token = typeof input.token === 'string' && input.token.length > 0 && input.token.length <= MAX_TOKEN && !hasControl(input.token) ? input.token : undefined;
  const minSeverity = SEVERITIES.find((s) => s === input.minSeverity) ?? DEFAULT_MIN_SEVERITY;
  const device = typeof input.device === 'string' ? input.device.trim().slice(0, MAX_DEVICE) : '';
  return { url, format, minSeverity, ...(token ? { token } : {}), ...(device && !hasControl(device) ? { device } : {}) };
}

/** http(s) only, no user:password in the URL (the token carries credentials), no fragment. */
function collectorUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return undefined;
  url.hash = '';
  return url.href;
}

/** The origin the collector's requests go to, as a host-permission pattern. */
export function collectorOriginPattern(policy: CollectorPolicy): string {
  return `${new URL(policy.url).origin}/*`;
}

const MANAGED_TIMEOUT_MS = 1000;

/**
 * The collector policy in force, if any. Without a policy Firefox rejects and some builds lack
 * the area: both mean "no collector".
 */
export async function loadCollectorPolicy(): Promise<CollectorPolicy | undefined> {
  try {
    const area = browser.storage?.managed;
    if (!area || typeof area.get !== 'function') return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, MANAGED_TIMEOUT_MS, undefined)));
    const raw = (await Promise.race([area.get('collector'), timeout]).finally(() => clearTimeout(timer))) as Record<string, unknown> | undefined;
    return normaliseCollectorPolicy(raw?.collector);
  } catch {
    return undefined;
  }
}
