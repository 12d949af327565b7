import { useEffect, useState } from 'preact/hooks';
import { browser } from '@/lib/browser';
import { t } from '@/lib/core/i18n';
import type { LogFilter } from '@/lib/store/log-query';
import { ask } from '@/lib/ui/ask';
import type { LogView } from '@/lib/ui-messages';
import { ActionsCard, type Status } from './Actions';
import { Filters } from './Filters';
import { IncidentRow } from './IncidentRow';
import { Timeline } from './Timeline';

export { VerifyResult } from './Actions';

const PAGE_SIZE = 50;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const loadOccurrence = (dedupeKey: string) => ask({ type: 'ui/occurrence', dedupeKey }).then((o) => o ?? undefined);
const loadSigns = (dedupeKeys: readonly string[]) => ask({ type: 'ui/incidents-for-keys', dedupeKeys: [...dedupeKeys] });

/** The filter, the search text (applied after a pause in typing) and the page offset. */
function useFilter() {
  const [filter, setFilter] = useState<LogFilter>({});
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => {
      setFilter((f) => {
        const trimmed = text.trim();
        if ((f.text ?? '') === trimmed) return f;
        const { text: _old, ...rest } = f;
        return trimmed ? { ...rest, text: trimmed } : rest;
      });
      setOffset(0);
    }, 250);
    return () => clearTimeout(timer);
  }, [text]);
  const changeFilter = (next: LogFilter) => {
    setFilter(next);
    setOffset(0);
  };
  const reset = () => {
    setText('');
    changeFilter({});
  };
  return { filter, text, setText, offset, setOffset, changeFilter, reset };
}

/** The log as the background reads it for this filter and page; `reloads` asks again. */
function useLogView(filter: LogFilter, offset: number, reloads: number) {
  const [view, setView] = useState<LogView>();
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    let current = true;
    ask({ type: 'ui/log-view', filter, offset, limit: PAGE_SIZE }).then(
      (next) => {
        if (!current) return;
        setView(next);
        setLoadError(undefined);
      },
      (e: unknown) => current && setLoadError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [filter, offset, reloads]);
  return { view, loadError };
}

function RecordList({ view, offset, setOffset, filtered }: { view: LogView; offset: number; setOffset: (offset: number) => void; filtered: boolean }) {
  const records = view.page.total;
  return (
    <section class="card list" aria-labelledby="list-heading">
      <div class="list-head">
        <h2 id="list-heading">{t('list.heading')}</h2>
        {records > 0 && (
          <span class="muted" data-total={records}>
            {t('list.showing', { from: offset + 1, to: offset + view.page.rows.length, total: records })}
          </span>
        )}
      </div>
      {records === 0 ? (
        <p class="empty">{filtered ? t('log.noMatch') : t('log.empty')}</p>
      ) : (
        <ol class="records">
          {view.page.rows.map((r) => (
            <IncidentRow key={r.id} record={r} loadOccurrence={loadOccurrence} loadSigns={loadSigns} />
          ))}
        </ol>
      )}
      {records > PAGE_SIZE && (
        <nav class="pager" aria-label={t('list.heading')}>
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
            {t('list.newer')}
          </button>
          <button type="button" disabled={offset + PAGE_SIZE >= records} onClick={() => setOffset(offset + PAGE_SIZE)}>
            {t('list.older')}
          </button>
        </nav>
      )}
    </section>
  );
}

export function App() {
  const { filter, text, setText, offset, setOffset, changeFilter, reset } = useFilter();
  const [reloads, setReloads] = useState(0);
  const { view, loadError } = useLogView(filter, offset, reloads);
  const [status, setStatus] = useState<Status>();
  const onCleared = () => {
    reset();
    setReloads((n) => n + 1);
  };
  return (
    <main data-ready={view || loadError ? 'true' : 'false'} data-busy={status?.kind === 'busy' ? 'true' : 'false'}>
      <header class="page-head">
        <h1>{t('log.heading')}</h1>
        <a href={browser.runtime.getURL('/options.html')}>{t('log.settingsLink')}</a>
      </header>
      <p class="muted intro">{t('log.intro')}</p>
      {loadError && (
        <p class="error" role="alert">
          {t('log.error', { error: loadError })}
        </p>
      )}
      {view && (
        <p class="summary" data-incidents={view.incidents}>
          {view.incidents === 1 ? t('log.count.one') : t('log.count', { count: view.incidents })}
        </p>
      )}
      <ActionsCard status={status} setStatus={setStatus} incidents={view?.incidents ?? 0} onCleared={onCleared} />
      {view && (
        <>
          <Filters filter={filter} text={text} hosts={view.hosts} rules={view.rules} onChange={changeFilter} onText={setText} onReset={reset} />
          <Timeline data={view.timeline} />
          <RecordList view={view} offset={offset} setOffset={setOffset} filtered={Object.keys(filter).length > 0} />
        </>
      )}
    </main>
  );
}
