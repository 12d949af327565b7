import { useState } from 'preact/hooks';
import { t } from '@/lib/core/i18n';
import { FieldError, Section, type SectionProps } from './parts';
import { checkRoot, formatFingerprint } from './validate';

function RootList({ local, effective, locked, save }: SectionProps) {
  const rootHosts = Object.keys(effective.trustedRoots).sort();
  const removeRoot = (host: string, fingerprint: string) => {
    const rest = (local.trustedRoots[host] ?? []).filter((f) => f !== fingerprint);
    const trustedRoots = { ...local.trustedRoots };
    if (rest.length) trustedRoots[host] = rest;
    else delete trustedRoots[host];
    void save({ trustedRoots });
  };
  if (rootHosts.length === 0) return <p class="muted">{t('roots.empty')}</p>;
  return (
    <ul class="item-list roots" data-list="roots">
      {rootHosts.flatMap((host) =>
        (effective.trustedRoots[host] ?? []).map((fp) => (
          <li key={`${host} ${fp}`}>
            <code>{host}</code>
            <code class="fingerprint">{formatFingerprint(fp)}</code>
            {!locked('trustedRoots') && (
              <button type="button" class="remove" aria-label={t('roots.remove', { host, fingerprint: formatFingerprint(fp) })} onClick={() => removeRoot(host, fp)}>
                ✕
              </button>
            )}
          </li>
        )),
      )}
    </ul>
  );
}

function AddRoot({ local, save }: Pick<SectionProps, 'local' | 'save'>) {
  const [rootHost, setRootHost] = useState('');
  const [rootFingerprint, setRootFingerprint] = useState('');
  const [rootError, setRootError] = useState<string>();
  const addRoot = (e: Event) => {
    e.preventDefault();
    const checked = checkRoot(rootHost, rootFingerprint);
    if (!checked.ok) return setRootError(checked.error);
    const { host, fingerprint } = checked.value;
    setRootError(undefined);
    setRootHost('');
    setRootFingerprint('');
    const existing = local.trustedRoots[host] ?? [];
    if (!existing.includes(fingerprint)) void save({ trustedRoots: { ...local.trustedRoots, [host]: [...existing, fingerprint] } });
  };
  const describedBy = rootError ? 'root-error' : undefined;
  return (
    <form class="inline-form" onSubmit={addRoot} noValidate>
      <label class="field">
        {t('roots.host')}
        <input name="root-host" value={rootHost} autocomplete="off" spellcheck={false} onInput={(e) => setRootHost(e.currentTarget.value)} aria-describedby={describedBy} />
      </label>
      <label class="field grow">
        {t('roots.fingerprint')}
        <input
          name="root-fingerprint"
          value={rootFingerprint}
          autocomplete="off"
          spellcheck={false}
          class="mono"
          onInput={(e) => setRootFingerprint(e.currentTarget.value)}
          aria-describedby={describedBy}
        />
      </label>
      <button type="submit">{t('roots.add')}</button>
      <FieldError id="root-error" error={rootError} />
    </form>
  );
}

export function RootsSection(props: SectionProps) {
  return (
    <Section id="roots" title={t('roots.heading')} locked={props.locked('trustedRoots')}>
      <p class="warning" role="note">
        <span aria-hidden="true">⚠ </span>
        {t('roots.warning')}
      </p>
      {import.meta.env.FIREFOX ? null : <p class="note">{t('roots.chromeNote')}</p>}
      <RootList {...props} />
      {!props.locked('trustedRoots') && <AddRoot local={props.local} save={props.save} />}
    </Section>
  );
}
