import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { linesOf, streamLines, verifyJsonl, type JsonlCheck } from '@/lib/store/verify';
import { t } from '@/lib/core/i18n';
import { ask } from '@/lib/ui/ask';
import type { ExportFormat } from '@/lib/ui-messages';
import { buildExport } from './exporting';

export type Status =
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

function StatusRegion({ status, downloadLink }: { status: Status | undefined; downloadLink: RefObject<HTMLAnchorElement> }) {
  return (
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
  );
}

function ClearConfirm({ count, cancelRef, onCancel, onConfirm }: { count: number; cancelRef: RefObject<HTMLButtonElement>; onCancel: () => void; onConfirm: () => void }) {
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="clear-heading" aria-describedby="clear-body" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <h3 id="clear-heading">{t('clear.heading')}</h3>
      <p id="clear-body">{t('clear.body', { count })}</p>
      <div class="action-row">
        <button ref={cancelRef} type="button" onClick={onCancel}>
          {t('clear.cancel')}
        </button>
        <button type="button" class="danger" data-action="confirm-clear" onClick={onConfirm}>
          {t('clear.confirm')}
        </button>
      </div>
    </div>
  );
}

const EXPORT_BUTTONS: Array<{ format: ExportFormat; label: 'actions.exportJsonl' | 'actions.exportCsv' | 'actions.exportOcsf' | 'actions.exportEcs' }> = [
  { format: 'jsonl', label: 'actions.exportJsonl' },
  { format: 'csv', label: 'actions.exportCsv' },
  { format: 'ocsf', label: 'actions.exportOcsf' },
  { format: 'ecs', label: 'actions.exportEcs' },
];

/** The file picker for verification: any JSONL file the user has, checked here in the page. */
function VerifyPicker({ disabled, onFile }: { disabled: boolean; onFile: (file: File) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" data-action="verify" disabled={disabled} onClick={() => fileInput.current?.click()}>
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
          if (file) onFile(file);
        }}
      />
    </>
  );
}

/** A finished export downloads at once; the link stays for a second try (and for tests). Its URL is freed with it. */
function useDownload(status: Status | undefined) {
  const downloadLink = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (status?.kind === 'exported') downloadLink.current?.click();
  }, [status]);
  useEffect(() => {
    const href = status?.kind === 'exported' ? status.href : undefined;
    return () => {
      if (href) URL.revokeObjectURL(href);
    };
  }, [status]);
  return downloadLink;
}

/** Export (through the background), verify a file (here), clear the log (through the background, after a question). */
function useLogActions(setStatus: (status: Status) => void, onCleared: () => void) {
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
  const clear = async () => {
    setStatus({ kind: 'busy', text: t('log.loading') });
    try {
      const { cleared } = await ask({ type: 'ui/clear-log' });
      setStatus({ kind: 'info', text: t('clear.done', { count: cleared }) });
      onCleared();
    } catch (e) {
      setStatus({ kind: 'error', text: t('clear.failed', { error: message(e) }) });
    }
  };
  return { runExport, verifyFile, clear };
}

export function ActionsCard({ status, setStatus, incidents, onCleared }: { status: Status | undefined; setStatus: (status: Status) => void; incidents: number; onCleared: () => void }) {
  const [confirmingClear, setConfirmingClear] = useState(false);
  const cancelClear = useRef<HTMLButtonElement>(null);
  const clearButton = useRef<HTMLButtonElement>(null);
  const downloadLink = useDownload(status);
  const { runExport, verifyFile, clear } = useLogActions(setStatus, onCleared);
  const busy = status?.kind === 'busy';
  useEffect(() => {
    if (confirmingClear) cancelClear.current?.focus();
  }, [confirmingClear]);
  const confirmClear = async () => {
    setConfirmingClear(false);
    await clear();
    clearButton.current?.focus();
  };
  return (
    <section class="card actions" aria-labelledby="actions-heading">
      <h2 id="actions-heading">{t('actions.heading')}</h2>
      <div class="action-row">
        {EXPORT_BUTTONS.map(({ format, label }, i) => (
          <button key={format} type="button" class={i === 0 ? 'primary' : undefined} data-action={`export-${format}`} disabled={busy} onClick={() => void runExport(format)}>
            {t(label)}
          </button>
        ))}
        <VerifyPicker disabled={busy} onFile={(file) => void verifyFile(file)} />
        <span class="spacer" />
        <button ref={clearButton} type="button" class="danger-outline" data-action="clear" disabled={busy} onClick={() => setConfirmingClear(true)}>
          {t('actions.clear')}
        </button>
      </div>
      <p class="note">{t('actions.exportHint')}</p>
      {confirmingClear && <ClearConfirm count={incidents} cancelRef={cancelClear} onCancel={() => setConfirmingClear(false)} onConfirm={() => void confirmClear()} />}
      <StatusRegion status={status} downloadLink={downloadLink} />
    </section>
  );
}
