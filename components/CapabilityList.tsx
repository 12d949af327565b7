import type { Capability } from '@/lib/ui/capabilities';
import { t } from '@/lib/core/i18n';

export function CapabilityList({ capabilities }: { capabilities: readonly Capability[] }) {
  return (
    <ul class="capabilities" aria-label="What this browser lets tapguard check">
      {capabilities.map((c) => (
        <li key={c.check} class={c.available ? 'checked' : 'not-checked'}>
          <span aria-hidden="true">{c.available ? '✓' : '✗'}</span> {c.check}
          {c.available ? '' : t('popup.notChecked')}
          {c.note && <div class="note">{c.note}</div>}
        </li>
      ))}
    </ul>
  );
}
