import type { Incident } from '@/lib/types';

function when(ts: number): string {
  return new Date(ts).toLocaleString();
}

export function IncidentList({ incidents, label }: { incidents: readonly Incident[]; label: string }) {
  if (incidents.length === 0) return null;
  return (
    <ul class="incidents" aria-label={label}>
      {incidents.map((incident) => (
        <li key={incident.id} class={`incident severity-${incident.severity}`} data-rule={incident.rule}>
          <div class="incident-head">
            <span class="severity">{incident.severity}</span>
            <strong class="incident-title">{incident.title}</strong>
          </div>
          <div class="incident-meta">
            <time dateTime={new Date(incident.ts).toISOString()}>{when(incident.ts)}</time> · <code>{incident.rule}</code>
          </div>
          <p class="incident-advice">{incident.advice}</p>
        </li>
      ))}
    </ul>
  );
}
