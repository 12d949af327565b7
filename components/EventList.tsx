import type { ComponentChildren } from 'preact';
import { describeEvent } from '@/lib/core/event-text';
import type { EventGroup } from '@/lib/core/events';
import { t } from '@/lib/core/i18n';
import type { Incident } from '@/lib/core/types';
import { EvidenceList } from './IncidentList';

const when = (ts: number) => new Date(ts).toLocaleString();

/**
 * Events, worst first: each leads with what is happening and who is behind it, one piece of
 * advice, then "What we saw": the findings, each a disclosure holding its evidence (as text).
 */
export function EventList({
  events,
  label,
  idPrefix,
  actions,
}: {
  events: readonly EventGroup<Incident>[];
  label: string;
  /** Makes the headings' ids unique when two lists share a page. */
  idPrefix: string;
  actions?: (event: EventGroup<Incident>) => ComponentChildren;
}) {
  if (events.length === 0) return null;
  return (
    <ul class="events" aria-label={label}>
      {events.map((event, index) => {
        const text = describeEvent(event);
        const headingId = `${idPrefix}-${index}`;
        return (
          <li key={event.key} class={`event severity-${event.severity}`} data-cause={event.cause} aria-labelledby={headingId}>
            <h2 class="event-headline" id={headingId}>
              <span class="severity">{t(`severity.${event.severity}`)}</span> <span class="event-headline-text">{text.headline}</span>
            </h2>
            <p class="event-advice">{text.advice}</p>
            <h3 class="signs-heading">{t('popup.whatWeSaw')}</h3>
            <ul class="incidents signs">
              {event.signs.map((sign) => (
                <li key={sign.dedupeKey} class={`incident severity-${sign.severity}`} data-rule={sign.rule}>
                  <details class="incident-evidence">
                    <summary>
                      <span class="severity">{t(`severity.${sign.severity}`)}</span>
                      <span class="incident-title">{sign.title}</span>
                    </summary>
                    <div class="incident-meta">
                      <time dateTime={new Date(sign.ts).toISOString()}>{when(sign.ts)}</time> · <code>{sign.rule}</code>
                    </div>
                    <EvidenceList evidence={sign.evidence} />
                  </details>
                </li>
              ))}
            </ul>
            {actions && <div class="incident-actions">{actions(event)}</div>}
          </li>
        );
      })}
    </ul>
  );
}
