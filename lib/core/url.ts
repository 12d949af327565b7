import { sha256Hex } from './hash';

/**
 * The URL as it may be stored: origin and path, with path segments that look like ids replaced
 * by a short hash (pathIdsHashed). Queries and fragments of webmail URLs carry message and thread
 * ids, folder names and searches (`_mbox=INBOX/Sources`, `_search=…`), which an exported log must
 * not reveal, so neither is kept.
 */
export function sanitiseUrl(raw: string): string {
  return originAndPath(raw, pathIdsHashed);
}

/**
 * Origin and path, nothing else: what the content script sends (it bounds what leaves the page;
 * the background hashes ids with sanitiseUrl before anything is stored).
 */
export function originAndPath(raw: string, path: (pathname: string) => string = (p) => p): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '';
  }
  if (url.protocol === 'data:' || url.protocol === 'blob:') return url.protocol;
  return `${url.protocol}//${url.host}${path(url.pathname)}`.slice(0, 2048);
}

/**
 * A path with every segment that may name a person, a message, a conversation or a room replaced
 * by `~` and 12 hex digits of its sha256: the same segment always gives the same stand-in (so
 * dedupe keys and baselines still match), but the log does not show it. What counts as such:
 * - an address (`@`), a number of 3 digits or more, hex of 8 or more with a digit, a UUID;
 * - a long token (16 characters or more: base64 or base64url, e.g. Outlook message ids);
 * - letters mixed with digits, 8 or more (Slack's `T0123ABCD`, Mattermost's 26-character ids);
 * - whatever follows a conversation word (`/direct/alice`, `/room/…`, `/channels/…`);
 * - the only segment of a path when it is not a known app route: a Jitsi room name
 *   (`meet.example.org/FamilyCall`).
 * Script and style files (`app.min.js`) keep their names: they say which code ran, not who talks.
 */
export function pathIdsHashed(pathname: string): string {
  const segments = pathname.split('/');
  const named = segments.filter((s) => s !== '');
  return segments
    .map((segment, i) => {
      if (segment === '') return segment;
      const previous = decodeSegment(segments[i - 1] ?? '').toLowerCase();
      const onlyOne = named.length === 1;
      return looksLikeId(segment, previous, onlyOne) ? `~${sha256Hex(segment).slice(0, 12)}` : segment;
    })
    .join('/');
}

const CODE_FILE = /\.(?:m?js|css|map|wasm)$/i;
// Not `u`: Gmail's `/mail/u/0/` is an account index, not a person.
const CONVERSATION_WORDS = new Set(['direct', 'dm', 'dms', 'messages', 'message', 'room', 'rooms', 'channel', 'channels', 'group', 'groups', 'conversation', 'conversations', 'thread', 'threads', 'chat', 'chats', 'id', 'user', 'users', 'people', 'contact', 'contacts', 'meet', 'call']);
/** Single-segment paths that are an app's route or endpoint, not a room: kept. */
const APP_ROUTES = new Set([
  ...['mail', 'webmail', 'roundcube', 'sogo', 'snappymail', 'rainloop', 'zimbra', 'horde', 'owa', 'inbox', 'login', 'logout', 'signin', 'auth'],
  ...['chat', 'app', 'apps', 'web', 'client', 'home', 'messages', 'channels', 'a', 'k', 'u', 'static', 'assets', 'public'],
  ...['socket', 'websocket', 'ws', 'wss', 'api', 'graphql', 'sync', 'poll', 'events', 'stream', 'push', 'xmpp-websocket', 'http-bind', 'colibri-ws'],
]);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function looksLikeId(raw: string, previous: string, onlySegment: boolean): boolean {
  const segment = decodeSegment(raw);
  if (CODE_FILE.test(segment) && !segment.includes('@')) return false;
  if (segment.includes('@')) return true;
  if (/^\d{3,}$/.test(segment) || /^(?=.*\d)[0-9a-f]{8,}$/i.test(segment)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  if (segment.length >= 16 && /^[A-Za-z0-9+/=_\-.:!]+$/.test(segment) && /[0-9+/=]|[a-z][A-Z]/.test(segment)) return true;
  if (segment.length >= 8 && /\d/.test(segment) && /[A-Za-z]/.test(segment) && /^[A-Za-z0-9_-]+$/.test(segment)) return true;
  if (CONVERSATION_WORDS.has(previous)) return true;
  if (onlySegment && !segment.includes('.') && !APP_ROUTES.has(segment.toLowerCase())) return true;
  return false;
}

/**
 * The names of a URL's query parameters, never their values: sorted, each once, and only names
 * that look like parameter names (a name can hold data too: `?alice@example.org`).
 */
export function queryNames(search: URLSearchParams): string[] {
  const names = [...new Set([...search.keys()])].filter((name) => /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(name) && !looksLikeId(name, '', false));
  return names.sort();
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
