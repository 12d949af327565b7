import type { EventGroup } from './events';
import { eventWord } from './event-words';

export interface EventText {
  /** What is happening and, when the signs say it, who is doing it. */
  headline: string;
  /** One thing to do. */
  advice: string;
}

/** The words of an event, from lib/core/event-words.ts: the popup renders them, the recorder stores them. */
export function describeEvent(group: Pick<EventGroup, 'host' | 'subject'>): EventText {
  const { host, subject } = group;
  switch (subject.type) {
    case 'interceptor': {
      const who = eventWord(`event.who.${subject.category}`, { product: subject.product });
      return { headline: eventWord('event.interception.known', { host, who }), advice: eventWord(`event.advice.${subject.category}`, { product: subject.product }) };
    }
    case 'unknown-interceptor':
      return subject.strong
        ? { headline: eventWord('event.interception.unknown', { host }), advice: eventWord('event.advice.stop') }
        : { headline: eventWord('event.interception.weak', { host }), advice: eventWord('event.advice.weakCert') };
    case 'refused-connection':
      return subject.repeated
        ? { headline: eventWord('event.refused.repeated', { host }), advice: eventWord('event.advice.stop') }
        : { headline: eventWord('event.refused.once', { host }), advice: eventWord('event.advice.refused') };
    case 'origin':
      if (subject.how === 'blocked') return { headline: eventWord('event.injection.blocked', { host, origin: subject.origin }), advice: eventWord('event.advice.blocked') };
      if (subject.how === 'frame') return { headline: eventWord('event.injection.frame', { host, origin: subject.origin }), advice: eventWord('event.advice.frame') };
      return { headline: eventWord('event.injection.origin', { host, origin: subject.origin }), advice: eventWord('event.advice.injection') };
    case 'page-code':
      return { headline: eventWord('event.injection.code', { host }), advice: eventWord('event.advice.injection') };
    case 'csp':
      return { headline: eventWord('event.injection.csp', { host }), advice: eventWord('event.advice.weakCert') };
    case 'downgrade':
      return { headline: eventWord(subject.stripped ? 'event.downgrade.stripped' : 'event.downgrade.weak', { host }), advice: eventWord('event.advice.stop') };
    case 'extension':
      return {
        headline: subject.name ? eventWord('event.extension.named', { host, name: subject.name }) : eventWord('event.extension', { host }),
        advice: eventWord('event.advice.extension'),
      };
  }
}
