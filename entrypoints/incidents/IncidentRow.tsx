import { useState } from 'preact/hooks';
import type { Occurrence } from '@/lib/store/db';
import { t } from '@/lib/core/i18n';
import { isEventRecord } from '@/lib/core/events';
import { isLogMarker, type ChainRecord } from '@/lib/store/chain';
import type { Incident } from '@/lib/core/types';

const when = (ts: number) => new Date(ts).toLocaleString();

function RecordHead({ record, marker, open, detailsId, toggle }: { record: ChainRecord; marker: boolean; open: boolean; detailsId: string; toggle: () => void }) {
  return (
    <div class="record-head">
      <span class={`badge severity-badge severity-${record.severity}`}>{t(`severity.${record.severity}`)}</span>
      <div class="record-main">
        <strong class="record-title">{record.title}</strong>
        <div class="record-meta">
          <time dateTime={new Date(record.ts).toISOString()}>{when(record.ts)}</time>
          {record.host && <> · {record.host}</>}
          {' · '}
          <span class={`kind-label kind-${record.kind}`}>{t(`kind.${record.kind}`)}</span>
          {!marker && (
            <>
              {' · '}
              <code>{record.rule}</code>
            </>
          )}
        </div>
      </div>
      <button type="button" class="expand" aria-expanded={open} aria-controls={detailsId} onClick={toggle}>
        {open ? t('list.hideDetails') : t('list.details')}
      </button>
    </div>
  );
}

function Repeats({ occurrence }: { occurrence: Occurrence | null | undefined }) {
  return (
    <>
      <dt>{t('list.repeats')}</dt>
      <dd class="repeats" data-count={occurrence?.count ?? ''}>
        {occurrence === undefined
          ? '…'
          : occurrence === null || occurrence.count <= 1
            ? t('list.repeatsOnce')
            : t('list.repeatsValue', { count: occurrence.count, last: when(occurrence.lastTs) })}
      </dd>
    </>
  );
}

function RecordFields({ record, marker, occurrence }: { record: ChainRecord; marker: boolean; occurrence: Occurrence | null | undefined }) {
  return (
    <dl>
      {record.url && (
        <>
          <dt>{t('list.url')}</dt>
          <dd>
            <code>{record.url}</code>
          </dd>
        </>
      )}
      <dt>{t('list.time')}</dt>
      <dd>{when(record.ts)}</dd>
      <dt>{t('list.browser')}</dt>
      <dd>{record.browser}</dd>
      {!marker && <Repeats occurrence={occurrence} />}
      <dt>{t('list.evidence')}</dt>
      <dd>
        <pre class="evidence">{JSON.stringify(record.evidence, null, 2)}</pre>
      </dd>
      <dt>{t('list.hash')}</dt>
      <dd>
        <code class="hash">{record.hash}</code>
      </dd>
      <dt>{t('list.prevHash')}</dt>
      <dd>
        <code class="hash">{record.prevHash}</code>
      </dd>
    </dl>
  );
}

/**
 * One record of the log, collapsed to its title; expanded, its evidence and chain fields. Every
 * value is rendered as text (Preact escapes it): evidence comes from hostile pages.
 */
export function IncidentRow({
  record,
  loadOccurrence,
  loadSigns,
}: {
  record: ChainRecord;
  loadOccurrence: (dedupeKey: string) => Promise<Occurrence | undefined>;
  /** The findings an event names (by dedupe key), as far as they are still in the log. */
  loadSigns?: (dedupeKeys: readonly string[]) => Promise<Incident[]>;
}) {
  const [open, setOpen] = useState(false);
  const [occurrence, setOccurrence] = useState<Occurrence | null>();
  const [signs, setSigns] = useState<Incident[] | null>();
  const marker = isLogMarker(record);
  const event = isEventRecord(record);
  const signKeys = event && Array.isArray(record.evidence.findings) ? record.evidence.findings.filter((k): k is string => typeof k === 'string') : [];
  const detailsId = `incident-${record.id}-details`;

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next && occurrence === undefined && !marker)
      loadOccurrence(record.dedupeKey).then(
        (o) => setOccurrence(o ?? null),
        () => setOccurrence(null),
      );
    if (next && signs === undefined && event && loadSigns)
      loadSigns(signKeys).then(
        (found) => setSigns(found),
        () => setSigns(null),
      );
  };

  return (
    <li class={`record severity-${record.severity}${marker ? ' marker' : ''}${event ? ' event' : ''}`} data-id={record.id} data-rule={record.rule}>
      <RecordHead record={record} marker={marker} open={open} detailsId={detailsId} toggle={toggle} />
      {open && (
        <div class="record-details" id={detailsId}>
          <p class="advice">
            <span class="label">{t('list.advice')}: </span>
            {record.advice}
          </p>
          {event && <EventSigns keys={signKeys} signs={signs} />}
          <RecordFields record={record} marker={marker} occurrence={occurrence} />
        </div>
      )}
    </li>
  );
}

/** The findings behind an event, by title and rule; a finding retention removed is named by its key. */
function EventSigns({ keys, signs }: { keys: readonly string[]; signs: Incident[] | null | undefined }) {
  const byKey = new Map((signs ?? []).map((s) => [s.dedupeKey, s]));
  return (
    <div class="event-signs">
      <span class="label">{t('list.signs')}:</span>
      <ul>
        {keys.map((key) => {
          const sign = byKey.get(key);
          return (
            <li key={key} data-sign-key={key}>
              {signs === undefined ? (
                '…'
              ) : sign ? (
                <>
                  <span class={`badge severity-badge severity-${sign.severity}`}>{t(`severity.${sign.severity}`)}</span> {sign.title} · <code>{sign.rule}</code>
                  {sign.id !== undefined && <> · #{sign.id}</>}
                </>
              ) : (
                t('list.signGone', { key })
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
