import { useState } from 'preact/hooks';
import { t } from '@/lib/core/i18n';
import type { Settings } from '@/lib/store/settings';
import { ask } from '@/lib/ui/ask';
import { FieldError, message, Section, type SectionProps } from './parts';
import { checkRetention } from './validate';

type Limits = Pick<Settings, 'retentionDays' | 'maxIncidents'>;

function ConfirmDeletion({ count, onCancel, onConfirm }: { count: number; onCancel: () => void; onConfirm: () => void }) {
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="retention-confirm">
      <p id="retention-confirm">{t('retention.confirm', { count })}</p>
      <div class="action-row">
        <button type="button" onClick={onCancel}>
          {t('clear.cancel')}
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          {t('retention.confirmButton')}
        </button>
      </div>
    </div>
  );
}

/** New limits that would delete records now are applied only after the user confirms. */
function useRetention({ save, setStatus }: Pick<SectionProps, 'save' | 'setStatus'>) {
  const [retentionError, setRetentionError] = useState<string>();
  const [pendingDeletion, setPendingDeletion] = useState<{ count: number; limits: Limits }>();
  const saveRetention = async (days: string, max: string) => {
    const checked = checkRetention(days, max);
    if (!checked.ok) return setRetentionError(checked.error);
    setRetentionError(undefined);
    const count = await ask({ type: 'ui/count-beyond-retention', limits: checked.value });
    if (count > 0) return setPendingDeletion({ count, limits: checked.value });
    await save(checked.value);
  };
  const confirmRetention = async () => {
    if (!pendingDeletion) return;
    const { limits } = pendingDeletion;
    setPendingDeletion(undefined);
    await save(limits);
    try {
      const { deleted } = await ask({ type: 'ui/apply-retention', limits });
      setStatus({ ok: true, text: t('retention.saved', { count: deleted }) });
    } catch (e) {
      setStatus({ ok: false, text: t('options.saveFailed', { error: message(e) }) });
    }
  };
  return { retentionError, pendingDeletion, saveRetention, confirmRetention, cancel: () => setPendingDeletion(undefined) };
}

export function RetentionSection({ effective, locked, save, setStatus }: SectionProps) {
  const [days, setDays] = useState(String(effective.retentionDays));
  const [max, setMax] = useState(String(effective.maxIncidents));
  const { retentionError, pendingDeletion, saveRetention, confirmRetention, cancel } = useRetention({ save, setStatus });
  const describedBy = retentionError ? 'retention-error' : undefined;
  const onSubmit = (e: Event) => {
    e.preventDefault();
    void saveRetention(days, max);
  };
  return (
    <Section id="retention" title={t('retention.heading')} locked={locked('retentionDays') || locked('maxIncidents')}>
      <form class="inline-form" onSubmit={onSubmit} noValidate>
        <label class="field">
          {t('retention.days')}
          <input name="retention-days" type="number" min={1} max={3650} step={1} value={days} disabled={locked('retentionDays')} onInput={(e) => setDays(e.currentTarget.value)} aria-describedby={describedBy} />
        </label>
        <label class="field">
          {t('retention.max')}
          <input name="retention-max" type="number" min={1000} max={1000000} step={1} value={max} disabled={locked('maxIncidents')} onInput={(e) => setMax(e.currentTarget.value)} aria-describedby={describedBy} />
        </label>
        <button type="submit" class="primary" disabled={locked('retentionDays') && locked('maxIncidents')}>
          {t('retention.save')}
        </button>
        <FieldError id="retention-error" error={retentionError} />
      </form>
      <p class="note">{t('retention.note')}</p>
      {pendingDeletion && <ConfirmDeletion count={pendingDeletion.count} onCancel={cancel} onConfirm={() => void confirmRetention()} />}
    </Section>
  );
}
