import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from '@/lib/browser';
import { linesOf, streamLines, verifyJsonl, type JsonlCheck } from '@/lib/store/export';
import { t } from '@/lib/core/i18n';
import type { LogFilter } from '@/lib/store/log-query';
import { ask } from '@/lib/ui/ask';
import type { ExportFormat, LogView } from '@/lib/ui-messages';
import { buildExport } from './exporting';
import { Filters } from './Filters';
import { IncidentRow } from './IncidentRow';
import { Timeline } from './Timeline';

const PAGE_SIZE = 50;

type Status =
  | { kind: 'busy'; text: string }
  | { kind: 'error'; text: string }
  | { kind: 'exported'; text: string; href: string; file: string; format: ExportFormat }
  | { kind: 'verified'; file: string; result: JsonlCheck }
  | { kind: 'info'; text: string };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function VerifyResult({ file, result }: { file: string; result: JsonlCheck }) {
  if (result.ok) {
    const header = result.header;
    return (
      <div class="status status-ok" data-verify="ok" data-count={result.count}>
        <strong>{t('verify.ok', { file, count: result.count })}</strong>
        {!result.startsAtGenesis && <p>{t('verify.okPruned')}</p>}
        {result.holes > 0 && <p>{t('verify.okHoles', { holes: result.holes, removed: result.removedIds })}</p>}
        {header && typeof header.tapguardVersion === 'string' && typeof header.browser === 'string' && typeof header.exportedAt === 'string' && (
          <p class="note">
            {t('verify.headerUnverified')} {t('verify.exportedBy', { version: header.tapguardVersion, browser: header.browser, date: header.exportedAt })}
          </p>
        )}
      </div>
    );
  }
  return (
    <div class="status status-error" data-verify="broken" data-line={result.line} data-reason={result.reason}>
      <strong>{t('verify.broken', { file, line: result.line, reason: t(`verify.reason.${result.reason}`, { detail: result.message }) })}</strong>
    </div>
  );
}

const loadOccurrence = (dedupeKey: string) => ask({ type: 'ui/occurrence', dedupeKey }).then((o) => o ?? undefined);
const loadSigns = (dedupeKeys: readonly string[]) => ask({ type: 'ui/incidents-for-keys', dedupeKeys: [...dedupeKeys] });

export function App() {
  const [filter, setFilter] = useState<LogFilter>({});
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  const [view, setView] = useState<LogView>();
  const [loadError, setLoadError] = useState<string>();
  const [reloads, setReloads] = useState(0);
  const [status, setStatus] = useState<Status>();
  const [confirmingClear, setConfirmingClear] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const downloadLink = useRef<HTMLAnchorElement>(null);
  const cancelClear = useRef<HTMLButtonElement>(null);
  const clearButton = useRef<HTMLButtonElement>(null);
  const busy = status?.kind === 'busy';

  // Text search waits for a pause in typing.
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

  // A finished export downloads at once; the link stays for a second try (and for tests).
  useEffect(() => {
    if (status?.kind === 'exported') downloadLink.current?.click();
  }, [status]);
  useEffect(() => {
    const href = status?.kind === 'exported' ? status.href : undefined;
    return () => {
      if (href) URL.revokeObjectURL(href);
    };
  }, [status]);

  useEffect(() => {
    if (confirmingClear) cancelClear.current?.focus();
  }, [confirmingClear]);

  const changeFilter = (next: LogFilter) => {
    setFilter(next);
    setOffset(0);
  };

  const runExport = async (format: ExportFormat) => {
    setStatus({ kind: 'busy', text: t('actions.exporting') });
    try {
      const built = await buildExport(format);
      const href = URL.createObjectURL(built.blob);
      setStatus({ kind: 'exported', href, file: built.name, format, text: t('actions.exported', { count: built.records, file: built.name }) });
    } catch (e) {
      setStatus({ kind: 'error', text: t('actions.exportFailed', { error: message(e) }) });
    }
  };

  const verifyFile = async (file: File) => {
    setStatus({ kind: 'busy', text: t('actions.verifying', { file: file.name }) });
    const lines = typeof file.stream === 'function' ? streamLines(file.stream()) : linesOf(await file.text());
    setStatus({ kind: 'verified', file: file.name, result: await verifyJsonl(lines) });
  };

  const confirmClear = async () => {
    setConfirmingClear(false);
    setStatus({ kind: 'busy', text: t('log.loading') });
    try {
      const { cleared } = await ask({ type: 'ui/clear-log' });
      setStatus({ kind: 'info', text: t('clear.done', { count: cleared }) });
      setFilter({});
      setText('');
      setOffset(0);
      setReloads((n) => n + 1);
    } catch (e) {
      setStatus({ kind: 'error', text: t('clear.failed', { error: message(e) }) });
    }
    clearButton.current?.focus();
  };

  const page = view?.page;
  const records = view ? view.page.total : 0;
  const filtered = Object.keys(filter).length > 0;

  return (
    <main data-ready={view || loadError ? 'true' : 'false'} data-busy={busy ? 'true' : 'false'}>
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

      <section class="card actions" aria-labelledby="actions-heading">
        <h2 id="actions-heading">{t('actions.heading')}</h2>
        <div class="action-row">
          <button type="button" class="primary" data-action="export-jsonl" disabled={busy} onClick={() => void runExport('jsonl')}>
            {t('actions.exportJsonl')}
          </button>
          <button type="button" data-action="export-csv" disabled={busy} onClick={() => void runExport('csv')}>
            {t('actions.exportCsv')}
          </button>
          <button type="button" data-action="export-ocsf" disabled={busy} onClick={() => void runExport('ocsf')}>
            {t('actions.exportOcsf')}
          </button>
          <button type="button" data-action="export-ecs" disabled={busy} onClick={() => void runExport('ecs')}>
            {t('actions.exportEcs')}
          </button>
          <button type="button" data-action="verify" disabled={busy} onClick={() => fileInput.current?.click()}>
            {t('actions.verify')}
          </button>
          <input
            ref={fileInput}
            type="file"
            class="file-input"
            accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain"
            aria-label={t('actions.verify')}
            tabIndex={-1}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void verifyFile(file);
            }}
          />
          <span class="spacer" />
          <button ref={clearButton} type="button" class="danger-outline" data-action="clear" disabled={busy} onClick={() => setConfirmingClear(true)}>
            {t('actions.clear')}
          </button>
        </div>
        <p class="note">{t('actions.exportHint')}</p>
        {confirmingClear && (
          <div class="confirm" role="alertdialog" aria-labelledby="clear-heading" aria-describedby="clear-body" onKeyDown={(e) => e.key === 'Escape' && setConfirmingClear(false)}>
            <h3 id="clear-heading">{t('clear.heading')}</h3>
            <p id="clear-body">{t('clear.body', { count: view?.incidents ?? 0 })}</p>
            <div class="action-row">
              <button ref={cancelClear} type="button" onClick={() => setConfirmingClear(false)}>
                {t('clear.cancel')}
              </button>
              <button type="button" class="danger" data-action="confirm-clear" onClick={() => void confirmClear()}>
                {t('clear.confirm')}
              </button>
            </div>
          </div>
        )}
        <div class="status-region" role="status" aria-live="polite">
          {status?.kind === 'busy' && <p class="status">{status.text}</p>}
          {status?.kind === 'info' && <p class="status status-ok">{status.text}</p>}
          {status?.kind === 'error' && (
            <p class="status status-error">
              <strong>{status.text}</strong>
            </p>
          )}
          {status?.kind === 'exported' && (
            <p class="status status-ok">
              {status.text}{' '}
              <a ref={downloadLink} href={status.href} download={status.file} data-export={status.format}>
                {t('actions.downloadAgain', { file: status.file })}
              </a>
            </p>
          )}
          {status?.kind === 'verified' && <VerifyResult file={status.file} result={status.result} />}
        </div>
      </section>

      {view && (
        <>
          <Filters
            filter={filter}
            text={text}
            hosts={view.hosts}
            rules={view.rules}
            onChange={changeFilter}
            onText={setText}
            onReset={() => {
              setText('');
              changeFilter({});
            }}
          />
          <Timeline data={view.timeline} />
          <section class="card list" aria-labelledby="list-heading">
            <div class="list-head">
              <h2 id="list-heading">{t('list.heading')}</h2>
              {records > 0 && page && (
                <span class="muted" data-total={records}>
                  {t('list.showing', { from: offset + 1, to: offset + page.rows.length, total: records })}
                </span>
              )}
            </div>
            {records === 0 ? (
              <p class="empty">{filtered ? t('log.noMatch') : t('log.empty')}</p>
            ) : (
              <ol class="records">
                {page!.rows.map((r) => (
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
        </>
      )}
    </main>
  );
}
