import type { ComponentChildren } from 'preact';
import type { Permissions } from 'webextension-polyfill';
import { useEffect, useState } from 'preact/hooks';
import { browser } from '@/lib/browser';
import { t } from '@/lib/core/i18n';
import { mergeSettings, onStorageChanged, type ManagedSettings, type Settings } from '@/lib/store/settings';
import { ask } from '@/lib/ui/ask';
import { RECOGNISERS } from '@/lib/core/sites/recognise';
import { SERVICES, serviceAddresses } from '@/lib/core/sites/services';
import { CollectorSection } from './Collector';
import { checkRetention, checkRoot, checkSite, formatFingerprint } from './validate';

interface State {
  local: Settings;
  managed: ManagedSettings;
  recognised: Record<string, string>;
  /** Chrome: whether the optional `debugger` permission is granted (undefined: unknown). */
  debuggerGranted?: boolean;
  managementGranted?: boolean;
}

// Chrome's `debugger` is missing from webextension-polyfill's (Firefox-derived) permission names.
const DEBUGGER = { permissions: ['debugger'] } as unknown as Permissions.Permissions;
const NOTIFICATIONS: Permissions.Permissions = { permissions: ['notifications'] };
const MANAGEMENT: Permissions.Permissions = { permissions: ['management'] };

/** Whether an optional permission is granted; undefined when the browser cannot say. */
async function granted(permission: Permissions.Permissions): Promise<boolean | undefined> {
  try {
    return await browser.permissions.contains(permission);
  } catch {
    return undefined;
  }
}

async function loadState(): Promise<State> {
  const [{ local, managed, recognised }, debuggerGranted, managementGranted] = await Promise.all([
    ask({ type: 'ui/settings' }),
    // Firefox has no `debugger` permission: deep inspection is Chrome's.
    import.meta.env.FIREFOX ? undefined : granted(DEBUGGER),
    granted(MANAGEMENT),
  ]);
  return {
    local,
    managed,
    recognised,
    ...(debuggerGranted === undefined ? {} : { debuggerGranted }),
    ...(managementGranted === undefined ? {} : { managementGranted }),
  };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function Locked({ locked }: { locked: boolean }) {
  return locked ? (
    <span class="locked" data-locked="true">
      <span aria-hidden="true">🔒 </span>
      {t('options.locked')}
    </span>
  ) : null;
}

function Section({ id, title, locked, children }: { id: string; title: string; locked?: boolean; children: ComponentChildren }) {
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

function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={id} class="field-error" role="alert">
      {error}
    </p>
  ) : null;
}

export function App() {
  const [state, setState] = useState<State>();
  const [loadError, setLoadError] = useState<string>();
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  const [siteInput, setSiteInput] = useState('');
  const [siteError, setSiteError] = useState<string>();
  const [rootHost, setRootHost] = useState('');
  const [rootFingerprint, setRootFingerprint] = useState('');
  const [rootError, setRootError] = useState<string>();
  const [days, setDays] = useState('');
  const [max, setMax] = useState('');
  const [retentionError, setRetentionError] = useState<string>();
  const [pendingDeletion, setPendingDeletion] = useState<{ count: number; limits: Pick<Settings, 'retentionDays' | 'maxIncidents'> }>();

  const reload = () =>
    loadState().then(
      (next) => {
        setState(next);
        const effective = mergeSettings(next.local, next.managed);
        setDays(String(effective.retentionDays));
        setMax(String(effective.maxIncidents));
      },
      (e: unknown) => setLoadError(message(e)),
    );
  useEffect(() => {
    void reload();
    onStorageChanged(() => void loadState().then(setState));
  }, []);

  if (!state) {
    return (
      <main data-ready={loadError ? 'true' : 'false'}>
        <h1>{t('options.heading')}</h1>
        {loadError && (
          <p class="error" role="alert">
            {loadError}
          </p>
        )}
      </main>
    );
  }

  const { local, managed, recognised } = state;
  const effective = mergeSettings(local, managed);
  const locked = (key: keyof Settings) => key in managed;
  const anyLocked = Object.keys(managed).length > 0;

  const save = async (patch: Partial<Settings>, done = t('options.saved')) => {
    try {
      await ask({ type: 'ui/save-settings', patch });
      setState({ ...state, local: { ...local, ...patch } });
      setStatus({ ok: true, text: done });
    } catch (e) {
      setStatus({ ok: false, text: t('options.saveFailed', { error: message(e) }) });
    }
  };

  const addSite = (e: Event) => {
    e.preventDefault();
    const checked = checkSite(siteInput, local.userSites);
    if (!checked.ok) return setSiteError(checked.error);
    setSiteError(undefined);
    setSiteInput('');
    void save({ userSites: [...local.userSites, checked.value] });
  };

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

  const removeRoot = (host: string, fingerprint: string) => {
    const rest = (local.trustedRoots[host] ?? []).filter((f) => f !== fingerprint);
    const trustedRoots = { ...local.trustedRoots };
    if (rest.length) trustedRoots[host] = rest;
    else delete trustedRoots[host];
    void save({ trustedRoots });
  };

  const saveRetention = async (e: Event) => {
    e.preventDefault();
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

  /** The permission prompt needs the click's user gesture, so it is requested before anything is awaited. */
  const toggleDeepInspection = (on: boolean) => {
    if (!on) {
      void save({ deepInspection: false });
      void browser.permissions.remove(DEBUGGER).catch(() => undefined);
      return;
    }
    browser.permissions.request(DEBUGGER).then(
      (granted) => {
        if (granted) void save({ deepInspection: true }).then(reload);
        else setStatus({ ok: false, text: t('deep.denied') });
      },
      (e: unknown) => setStatus({ ok: false, text: `${t('deep.denied')} (${message(e)})` }),
    );
  };

  /** Same pattern for notifications: ask on the click, store only what was granted. */
  const toggleNotifications = (on: boolean) => {
    if (!on) {
      void save({ notifications: false });
      void browser.permissions.remove(NOTIFICATIONS).catch(() => undefined);
      return;
    }
    browser.permissions.request(NOTIFICATIONS).then(
      (granted) => {
        if (granted) void save({ notifications: true });
        else setStatus({ ok: false, text: t('notifications.denied') });
      },
      (e: unknown) => setStatus({ ok: false, text: `${t('notifications.denied')} (${message(e)})` }),
    );
  };

  /** The permission is the whole setting: granted means names are looked up, removed means not. */
  const toggleExtensionNames = (on: boolean) => {
    const change = on ? browser.permissions.request(MANAGEMENT) : browser.permissions.remove(MANAGEMENT).then(() => false);
    change.then(
      (granted) => {
        if (on && !granted) setStatus({ ok: false, text: t('extensionNames.denied') });
        void reload();
      },
      (e: unknown) => setStatus({ ok: false, text: `${t('extensionNames.denied')} (${message(e)})` }),
    );
  };

  const appName = (id: string) => RECOGNISERS.find((r) => r.id === id)?.name ?? id;
  const rootHosts = Object.keys(effective.trustedRoots).sort();

  return (
    <main data-ready="true">
      <header class="page-head">
        <h1>{t('options.heading')}</h1>
        <a href={browser.runtime.getURL('/incidents.html')}>{t('options.logLink')}</a>
      </header>
      {anyLocked && <p class="managed-note">{t('options.lockedNote')}</p>}
      <div class="status-region" role="status" aria-live="polite">
        {status && <p class={`status ${status.ok ? 'status-ok' : 'status-error'}`}>{status.text}</p>}
      </div>

      <Section id="sites" title={t('sites.heading')} locked={locked('userSites')}>
        <p class="muted">{t('sites.intro')}</p>
        <h3>{t('sites.builtin')}</h3>
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

        <h3>{t('sites.user')}</h3>
        {effective.userSites.length === 0 ? (
          <p class="muted">{t('sites.userEmpty')}</p>
        ) : (
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
        )}
        {!locked('userSites') && (
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
        )}

        <h3>{t('sites.recognised')}</h3>
        {Object.keys(recognised).length === 0 ? (
          <p class="muted">{t('sites.recognisedEmpty')}</p>
        ) : (
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
        )}
      </Section>

      <Section id="roots" title={t('roots.heading')} locked={locked('trustedRoots')}>
        <p class="warning" role="note">
          <span aria-hidden="true">⚠ </span>
          {t('roots.warning')}
        </p>
        {import.meta.env.FIREFOX ? null : <p class="note">{t('roots.chromeNote')}</p>}
        {rootHosts.length === 0 ? (
          <p class="muted">{t('roots.empty')}</p>
        ) : (
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
        )}
        {!locked('trustedRoots') && (
          <form class="inline-form" onSubmit={addRoot} noValidate>
            <label class="field">
              {t('roots.host')}
              <input name="root-host" value={rootHost} autocomplete="off" spellcheck={false} onInput={(e) => setRootHost(e.currentTarget.value)} aria-describedby={rootError ? 'root-error' : undefined} />
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
                aria-describedby={rootError ? 'root-error' : undefined}
              />
            </label>
            <button type="submit">{t('roots.add')}</button>
            <FieldError id="root-error" error={rootError} />
          </form>
        )}
      </Section>

      <Section id="retention" title={t('retention.heading')} locked={locked('retentionDays') || locked('maxIncidents')}>
        <form class="inline-form" onSubmit={(e) => void saveRetention(e)} noValidate>
          <label class="field">
            {t('retention.days')}
            <input name="retention-days" type="number" min={1} max={3650} step={1} value={days} disabled={locked('retentionDays')} onInput={(e) => setDays(e.currentTarget.value)} aria-describedby={retentionError ? 'retention-error' : undefined} />
          </label>
          <label class="field">
            {t('retention.max')}
            <input name="retention-max" type="number" min={1000} max={1000000} step={1} value={max} disabled={locked('maxIncidents')} onInput={(e) => setMax(e.currentTarget.value)} aria-describedby={retentionError ? 'retention-error' : undefined} />
          </label>
          <button type="submit" class="primary" disabled={locked('retentionDays') && locked('maxIncidents')}>
            {t('retention.save')}
          </button>
          <FieldError id="retention-error" error={retentionError} />
        </form>
        <p class="note">{t('retention.note')}</p>
        {pendingDeletion && (
          <div class="confirm" role="alertdialog" aria-labelledby="retention-confirm">
            <p id="retention-confirm">{t('retention.confirm', { count: pendingDeletion.count })}</p>
            <div class="action-row">
              <button type="button" onClick={() => setPendingDeletion(undefined)}>
                {t('clear.cancel')}
              </button>
              <button type="button" class="danger" onClick={() => void confirmRetention()}>
                {t('retention.confirmButton')}
              </button>
            </div>
          </div>
        )}
      </Section>

      {!import.meta.env.FIREFOX && (
        <Section id="deep" title={t('deep.heading')} locked={locked('deepInspection')}>
          <p class="muted">{t('deep.explain')}</p>
          <label class="checkbox">
            <input
              type="checkbox"
              name="deep-inspection"
              checked={effective.deepInspection}
              disabled={locked('deepInspection')}
              onChange={(e) => toggleDeepInspection(e.currentTarget.checked)}
            />
            {t('deep.label')}
          </label>
          {effective.deepInspection && state.debuggerGranted === false && <p class="field-error">{t('deep.missing')}</p>}
        </Section>
      )}

      <Section id="notifications" title={t('notifications.heading')} locked={locked('notifications')}>
        <label class="checkbox">
          <input type="checkbox" name="notifications" checked={effective.notifications} disabled={locked('notifications')} onChange={(e) => toggleNotifications(e.currentTarget.checked)} />
          {t('notifications.label')}
        </label>
      </Section>

      <Section id="inline-previews" title={t('previews.heading')}>
        <label class="checkbox">
          <input type="checkbox" name="inlinePreviews" checked={effective.inlinePreviews} onChange={(e) => void save({ inlinePreviews: e.currentTarget.checked })} />
          {t('previews.label')}
        </label>
      </Section>

      <Section id="extension-names" title={t('extensionNames.heading')}>
        <label class="checkbox">
          <input type="checkbox" name="extensionNames" checked={state.managementGranted === true} onChange={(e) => toggleExtensionNames(e.currentTarget.checked)} />
          {t('extensionNames.label')}
        </label>
      </Section>

      <CollectorSection />
    </main>
  );
}
