import { EVENT_KIND } from '@/lib/core/events';
import { t } from '@/lib/core/i18n';
import type { LogFilter } from '@/lib/store/log-query';
import { KINDS, SEVERITIES, type Kind, type RuleId, type Severity } from '@/lib/core/types';

/** 'YYYY-MM-DD' (an <input type=date>) ↔ local time. `end` gives the day's last millisecond. */
export function dateInputToTs(value: string, end: boolean): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return end ? new Date(y, m - 1, d + 1).getTime() - 1 : new Date(y, m - 1, d).getTime();
}

export function tsToDateInput(ts: number | undefined): string {
  if (ts === undefined) return '';
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

interface Props {
  filter: LogFilter;
  text: string;
  hosts: readonly string[];
  rules: readonly string[];
  onChange(filter: LogFilter): void;
  onText(text: string): void;
  onReset(): void;
}

function without<K extends keyof LogFilter>(filter: LogFilter, key: K, value: LogFilter[K] | undefined): LogFilter {
  const next = { ...filter };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  return next;
}

/** A labelled select whose first option is "any". */
function Choice({ label, name, value, options, onChange }: { label: string; name: string; value: string | undefined; options: Array<{ value: string; label: string }>; onChange: (value: string) => void }) {
  return (
    <label class="field">
      {label}
      <select name={name} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('filters.any')}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

const same = (value: string) => ({ value, label: value });
const kindOptions = () => [...KINDS, EVENT_KIND].map((k: Kind | typeof EVENT_KIND) => ({ value: k, label: t(`kind.${k}`) }));
const severityOptions = () => SEVERITIES.slice(1).map((s) => ({ value: s, label: s === 'critical' ? t('severity.critical') : t('filters.atLeast', { severity: t(`severity.${s}`) }) }));

export function Filters({ filter, text, hosts, rules, onChange, onText, onReset }: Props) {
  const set = <K extends keyof LogFilter>(key: K) => (value: LogFilter[K] | undefined) => onChange(without(filter, key, value));
  return (
    <section class="card filters" aria-labelledby="filters-heading">
      <h2 id="filters-heading">{t('filters.heading')}</h2>
      <form class="filter-grid" onSubmit={(e) => e.preventDefault()}>
        <Choice label={t('filters.host')} name="host" value={filter.host} options={hosts.map(same)} onChange={set('host')} />
        <Choice label={t('filters.kind')} name="kind" value={filter.kind} options={kindOptions()} onChange={(v) => set('kind')((v || undefined) as LogFilter['kind'])} />
        <Choice label={t('filters.rule')} name="rule" value={filter.rule} options={rules.map(same)} onChange={(v) => set('rule')((v || undefined) as RuleId | undefined)} />
        <Choice label={t('filters.severity')} name="severity" value={filter.minSeverity} options={severityOptions()} onChange={(v) => set('minSeverity')((v || undefined) as Severity | undefined)} />
        <label class="field">
          {t('filters.from')}
          <input type="date" name="from" value={tsToDateInput(filter.from)} onChange={(e) => set('from')(dateInputToTs(e.currentTarget.value, false))} />
        </label>
        <label class="field">
          {t('filters.to')}
          <input type="date" name="to" value={tsToDateInput(filter.to)} onChange={(e) => set('to')(dateInputToTs(e.currentTarget.value, true))} />
        </label>
        <label class="field search">
          {t('filters.text')}
          <input type="search" name="text" value={text} placeholder={t('filters.textPlaceholder')} onInput={(e) => onText(e.currentTarget.value)} />
        </label>
        <div class="field reset">
          <span aria-hidden="true">&nbsp;</span>
          <button type="button" onClick={onReset}>
            {t('filters.reset')}
          </button>
        </div>
      </form>
    </section>
  );
}
