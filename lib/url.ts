/**
 * The URL as it may be stored: origin and path only. Queries and fragments of webmail URLs
 * carry message and thread ids, which an exported log must not reveal.
 */
export function sanitiseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '';
  }
  if (url.protocol === 'data:' || url.protocol === 'blob:') return url.protocol;
  return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 2048);
}

export function hostOf(raw: string): string {
  try {
    return new URL(raw).hostname.toLowerCase();
  } catch {
    return '';
  }
}

export function originOf(raw: string): string {
  try {
    const { origin } = new URL(raw);
    return origin === 'null' ? '' : origin;
  } catch {
    return '';
  }
}

/** Loopback and development hosts: never monitored, so local development raises no alarms. */
export function isLocalDevelopmentHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(?:\.\d{1,3}){3}$/.test(host)
  );
}
