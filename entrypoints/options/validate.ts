import { t } from '@/lib/core/i18n';
import { normaliseFingerprint } from '@/lib/store/settings';
import { parseHostPattern } from '@/lib/core/sites';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** A site the user adds: a host name or `*.` + host name, not one already listed. */
export function checkSite(input: string, existing: readonly string[]): Checked<string> {
  const host = parseHostPattern(input);
  if (!host) return { ok: false, error: t('sites.invalid', { input: input.trim() }) };
  if (existing.includes(host)) return { ok: false, error: t('sites.duplicate', { host }) };
  return { ok: true, value: host };
}

/** A private root trusted for one exact host (roots are looked up by the page's host). */
export function checkRoot(hostInput: string, fingerprintInput: string): Checked<{ host: string; fingerprint: string }> {
  const host = parseHostPattern(hostInput);
  if (!host || host.startsWith('*.')) return { ok: false, error: t('roots.invalidHost', { input: hostInput.trim() }) };
  const fingerprint = normaliseFingerprint(fingerprintInput);
  if (!fingerprint) return { ok: false, error: t('roots.invalidFingerprint') };
  return { ok: true, value: { host, fingerprint } };
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** The same bounds as normaliseSettings, so what the page accepts is what is stored. */
export function checkRetention(daysText: string, maxText: string): Checked<{ retentionDays: number; maxIncidents: number }> {
  const retentionDays = wholeNumber(daysText, 1, 3650);
  if (retentionDays === undefined) return { ok: false, error: t('retention.invalidDays') };
  const maxIncidents = wholeNumber(maxText, 1000, 1_000_000);
  if (maxIncidents === undefined) return { ok: false, error: t('retention.invalidMax') };
  return { ok: true, value: { retentionDays, maxIncidents } };
}

/** "ab12…" → "AB:12:…", as certificate viewers show fingerprints. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{1,2}/g) ?? []).join(':');
}
