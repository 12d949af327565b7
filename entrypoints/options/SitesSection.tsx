import { useState } from 'preact/hooks';
import { t } from '@/lib/core/i18n';
import { RECOGNISERS } from '@/lib/core/sites/recognise';
import { SERVICES, serviceAddresses } from '@/lib/core/sites/services';
import { ask } from '@/lib/ui/ask';
import { FieldError, Section, type SectionProps } from './parts';
import { checkSite } from './validate';

const appName = (id: string) => RECOGNISERS.find((r) => r.id === id)?.name ?? id;

function BuiltinServices() {
  return (
    <details class="builtin">
      <summary>{t('sites.builtinSummary', { count: SERVICES.length })}</summary>
      <ul class="builtin-list">
        {SERVICES.map((s) => (
          <li key={s.id}>
            <strong>{s.name}</strong> <span class="muted">{serviceAddresses(s).join(', ')}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function AddSite({ local, save }: Pick<SectionProps, 'local' | 'save'>) {
  const [siteInput, setSiteInput] = useState('');
  const [siteError, setSiteError] = useState<string>();
  const addSite = (e: Event) => {
    e.preventDefault();
    const checked = checkSite(siteInput, local.userSites);
    if (!checked.ok) return setSiteError(checked.error);
    setSiteError(undefined);
    setSiteInput('');
    void save({ userSites: [...local.userSites, checked.value] });
  };
  return (
    <form class="inline-form" onSubmit={addSite} noValidate>
      <label class="field grow">
        {t('sites.addLabel')}
        <input
          name="site"
          value={siteInput}
          autocomplete="off"
          spellcheck={false}
          aria-invalid={siteError ? 'true' : 'false'}
          aria-describedby={siteError ? 'site-error' : undefined}
          onInput={(e) => setSiteInput(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary">
        {t('sites.addButton')}
      </button>
      <FieldError id="site-error" error={siteError} />
    </form>
  );
}

function UserSites({ local, effective, locked, save }: SectionProps) {
  if (effective.userSites.length === 0) return <p class="muted">{t('sites.userEmpty')}</p>;
  return (
    <ul class="item-list" data-list="user-sites">
      {effective.userSites.map((host) => (
        <li key={host}>
          <code>{host}</code>
          {!locked('userSites') && (
            <button type="button" class="remove" aria-label={t('sites.remove', { host })} onClick={() => void save({ userSites: local.userSites.filter((h) => h !== host) })}>
              ✕
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function RecognisedHosts({ recognised, reload }: { recognised: Record<string, string>; reload: () => Promise<void> }) {
  if (Object.keys(recognised).length === 0) return <p class="muted">{t('sites.recognisedEmpty')}</p>;
  return (
    <ul class="item-list" data-list="recognised">
      {Object.entries(recognised).map(([host, id]) => (
        <li key={host}>
          <code>{host}</code> <span class="muted">{t('sites.recognisedAs', { app: appName(id) })}</span>
          <button type="button" class="remove" aria-label={t('sites.remove', { host })} onClick={() => void ask({ type: 'ui/forget-recognised-host', host }).then(reload)}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}

export function SitesSection(props: SectionProps & { recognised: Record<string, string> }) {
  return (
    <Section id="sites" title={t('sites.heading')} locked={props.locked('userSites')}>
      <p class="muted">{t('sites.intro')}</p>
      <h3>{t('sites.builtin')}</h3>
      <BuiltinServices />
      <h3>{t('sites.user')}</h3>
      <UserSites {...props} />
      {!props.locked('userSites') && <AddSite local={props.local} save={props.save} />}
      <h3>{t('sites.recognised')}</h3>
      <RecognisedHosts recognised={props.recognised} reload={props.reload} />
    </Section>
  );
}
