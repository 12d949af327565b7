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

export function Filters({ filter, text, hosts, rules, onChange, onText, onReset }: Props) {
  const set = <K extends keyof LogFilter>(key: K) => (value: LogFilter[K] | undefined) => onChange(without(filter, key, value));
  return (
    <section class="card filters" aria-labelledby="filters-heading">
      <h2 id="filters-heading">{t('filters.heading')}</h2>
      <form class="filter-grid" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          {t('filters.host')}
          <select name="host" value={filter.host ?? ''} onChange={(e) => set('host')(e.currentTarget.value)}>
            <option value="">{t('filters.any')}</option>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t('filters.kind')}
          <select name="kind" value={filter.kind ?? ''} onChange={(e) => set('kind')((e.currentTarget.value || undefined) as LogFilter['kind'])}>
            <option value="">{t('filters.any')}</option>
            {[...KINDS, EVENT_KIND].map((k: Kind | typeof EVENT_KIND) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t('filters.rule')}
          <select name="rule" value={filter.rule ?? ''} onChange={(e) => set('rule')((e.currentTarget.value || undefined) as RuleId | undefined)}>
            <option value="">{t('filters.any')}</option>
            {rules.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t('filters.severity')}
          <select
            name="severity"
            value={filter.minSeverity ?? ''}
            onChange={(e) => set('minSeverity')((e.currentTarget.value || undefined) as Severity | undefined)}
          >
            <option value="">{t('filters.any')}</option>
            {SEVERITIES.slice(1).map((s) => (
              <option key={s} value={s}>
                {s === 'critical' ? t('severity.critical') : t('filters.atLeast', { severity: t(`severity.${s}`) })}
              </option>
            ))}
          </select>
        </label>
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
