import type { ComponentChildren } from 'preact';
import { t } from '@/lib/core/i18n';
import type { Incident } from '@/lib/core/types';

function when(ts: number): string {
  return new Date(ts).toLocaleString();
}

/** Evidence as plain text lines: rendered as text nodes, never as HTML. */
export function EvidenceList({ evidence }: { evidence: Incident['evidence'] }) {
  return (
    <dl class="evidence">
      {Object.entries(evidence).map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function IncidentList({
  incidents,
  label,
  actions,
}: {
  incidents: readonly Incident[];
  label: string;
  actions?: (incident: Incident) => ComponentChildren;
}) {
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
          <details class="incident-evidence">
            <summary>{t('popup.evidence')}</summary>
            <EvidenceList evidence={incident.evidence} />
          </details>
          {actions && <div class="incident-actions">{actions(incident)}</div>}
        </li>
      ))}
    </ul>
  );
}
