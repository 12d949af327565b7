import type { EventGroup } from './events';
import { t } from './i18n';

export interface EventText {
  /** What is happening and, when the signs say it, who is doing it. */
  headline: string;
  /** One thing to do. */
  advice: string;
}

/** The words of an event, from lib/core/i18n.ts: the popup renders them, the recorder stores them. */
export function describeEvent(group: Pick<EventGroup, 'host' | 'subject'>): EventText {
  const { host, subject } = group;
  switch (subject.type) {
    case 'interceptor': {
      const who = t(`event.who.${subject.category}`, { product: subject.product });
      return { headline: t('event.interception.known', { host, who }), advice: t(`event.advice.${subject.category}`, { product: subject.product }) };
    }
    case 'unknown-interceptor':
      return subject.strong
        ? { headline: t('event.interception.unknown', { host }), advice: t('event.advice.stop') }
        : { headline: t('event.interception.weak', { host }), advice: t('event.advice.weakCert') };
    case 'refused-connection':
      return subject.repeated
        ? { headline: t('event.refused.repeated', { host }), advice: t('event.advice.stop') }
        : { headline: t('event.refused.once', { host }), advice: t('event.advice.refused') };
    case 'origin':
      if (subject.how === 'blocked') return { headline: t('event.injection.blocked', { host, origin: subject.origin }), advice: t('event.advice.blocked') };
      if (subject.how === 'frame') return { headline: t('event.injection.frame', { host, origin: subject.origin }), advice: t('event.advice.frame') };
      return { headline: t('event.injection.origin', { host, origin: subject.origin }), advice: t('event.advice.injection') };
    case 'page-code':
      return { headline: t('event.injection.code', { host }), advice: t('event.advice.injection') };
    case 'csp':
      return { headline: t('event.injection.csp', { host }), advice: t('event.advice.weakCert') };
    case 'downgrade':
      return { headline: t(subject.stripped ? 'event.downgrade.stripped' : 'event.downgrade.weak', { host }), advice: t('event.advice.stop') };
    case 'extension':
      return {
        headline: subject.name ? t('event.extension.named', { host, name: subject.name }) : t('event.extension', { host }),
        advice: t('event.advice.extension'),
      };
  }
}
