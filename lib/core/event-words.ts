import { translator } from './translate';

/**
 * The words of events (lib/core/events.ts): one headline and one piece of advice per cause. They
 * live apart from the pages' strings (i18n.ts) because the background words each event as it
 * records it, and its bundle should not carry every string of the popup, the log and the options
 * page (they were 4.7 KB of its gzipped size). A translation is one more dictionary in
 * `EVENT_WORDS`, and one in i18n.ts.
 */
const en = {
  'event.who.state': 'a state authority: {product}',
  'event.who.corporate': 'a corporate proxy: {product}',
  'event.who.antivirus': 'an antivirus program: {product}',
  'event.who.parental': 'a parental-control program: {product}',
  'event.who.adware': 'adware: {product}',
  'event.who.debugging': '{product}, a TLS-inspection tool',
  'event.interception.known': 'Your connection to {host} is being intercepted by {who}.',
  'event.interception.unknown': 'Your connection to {host} is probably being intercepted. Who is doing it is unknown.',
  'event.refused.once': 'A message connection of {host} was refused. It may be a network hiccup, or an interceptor the browser did not accept.',
  'event.refused.repeated': 'Message connections of {host} keep being refused, as when an interceptor sits in the way. Who is doing it is unknown.',
  'event.interception.weak': 'The certificate of {host} is unusual and may come from an interceptor. Who would be behind it is unknown.',
  'event.injection.origin': 'Code from {origin} was injected into {host}.',
  'event.injection.frame': 'A hidden frame from {origin} was added to {host}.',
  'event.injection.blocked': '{host} refused to load content from {origin}: something may have tried to add it.',
  'event.injection.code': 'New or changed code appeared on {host}; it may have been injected on the way.',
  'event.injection.csp': 'The protection of {host} against injected code was weakened.',
  'event.downgrade.stripped': 'The encryption of {host} was stripped: what you send can be read on the network.',
  'event.downgrade.weak': 'Your connection to {host} is less protected than it should be.',
  'event.extension': 'One of your browser extensions adds code to {host}.',
  'event.extension.named': '{name}, one of your browser extensions, adds code to {host}.',
  'event.advice.stop': 'Stop: do not log in or send anything on this network. Switch to a connection you trust (mobile data, a trusted VPN) and check again.',
  'event.advice.state': 'A state authority can read everything on this page. Do not log in or send anything here; use a trusted VPN or Tor from a device you trust.',
  'event.advice.corporate': 'Whoever runs this proxy can read everything on this page. On a work device that may be your employer; anywhere else, stop and switch to a connection you trust.',
  'event.advice.antivirus': 'Your antivirus opens this encrypted page to scan it. If you did not install it, treat it as interception and use a device you trust.',
  'event.advice.parental': 'A filtering program opens this encrypted page. If you did not install it, someone else controls this device: use one you trust.',
  'event.advice.adware': 'Software on this device opens encrypted pages, and others can abuse it. Remove it; until then, send nothing sensitive here.',
  'event.advice.debugging': 'Unless you run {product} yourself, stop: do not log in or send anything here, and switch to a connection and device you trust.',
  'event.advice.refused': 'If it happens again, or the page stops updating, check on another network before you send anything sensitive.',
  'event.advice.weakCert': 'Avoid sensitive actions here until it looks normal again; if it stays, check on another network.',
  'event.advice.injection': 'Do not type anything sensitive here: injected code can read what you write. Reload the page on a connection you trust and check again.',
  'event.advice.frame': 'An invisible frame from another site can track you or show you a fake form. Avoid sensitive actions here until you know where it came from.',
  'event.advice.blocked': 'The attempt failed, but someone tried to add code to this page. Be careful on this network.',
  'event.advice.extension': 'This comes from an extension you installed, not from the network. Make sure you trust it: extensions can read your mail.',
} as const;

export type EventWordKey = keyof typeof en;

const EVENT_WORDS: Record<string, Partial<Record<EventWordKey, string>>> = { en };

/** An event's words with `{name}` placeholders filled in. */
export const eventWord = translator(EVENT_WORDS, en);
