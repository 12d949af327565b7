import type { ComponentChildren } from 'preact';
import { t } from '@/lib/core/i18n';
import type { Settings } from '@/lib/store/settings';

export type Status = { ok: boolean; text: string };

/** What every section of the options page works with. */
export interface SectionProps {
  /** The user's own settings (what is saved). */
  local: Settings;
  /** The settings in force: the user's, with the administrator's in their place. */
  effective: Settings;
  locked: (key: keyof Settings) => boolean;
  save: (patch: Partial<Settings>, done?: string) => Promise<void>;
  setStatus: (status: Status) => void;
  reload: () => Promise<void>;
}

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function Locked({ locked }: { locked: boolean }) {
  return locked ? (
    <span class="locked" data-locked="true">
      <span aria-hidden="true">🔒 </span>
      {t('options.locked')}
    </span>
  ) : null;
}

export function Section({ id, title, locked, children }: { id: string; title: string; locked?: boolean; children: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={`${id}-heading`} data-section={id}>
      <div class="section-head">
        <h2 id={`${id}-heading`}>{title}</h2>
        <Locked locked={!!locked} />
      </div>
      {children}
    </section>
  );
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={id} class="field-error" role="alert">
      {error}
    </p>
  ) : null;
}
