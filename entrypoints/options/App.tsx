import type { Permissions } from 'webextension-polyfill';
import { useEffect, useState } from 'preact/hooks';
import { browser } from '@/lib/browser';
import { t } from '@/lib/core/i18n';
import { mergeSettings, onStorageChanged, type Settings } from '@/lib/store/settings';
import { ask } from '@/lib/ui/ask';
import type { SettingsView } from '@/lib/ui-messages';
import { CollectorSection } from './Collector';
import { message, type SectionProps, type Status } from './parts';
import { RetentionSection } from './RetentionSection';
import { RootsSection } from './RootsSection';
import { SitesSection } from './SitesSection';
import { DEBUGGER, DeepInspectionSection, ExtensionNamesSection, InlinePreviewsSection, MANAGEMENT, NotificationsSection } from './Toggles';

interface State extends SettingsView {
  /** Chrome: whether the optional `debugger` permission is granted (undefined: unknown). */
  debuggerGranted?: boolean;
  managementGranted?: boolean;
}

/** Whether an optional permission is granted; undefined when the browser cannot say. */
async function granted(permission: Permissions.Permissions): Promise<boolean | undefined> {
  try {
    return await browser.permissions.contains(permission);
  } catch {
    return undefined;
  }
}

/** Settings come from the background, their one owner; permissions from the browser. */
async function loadState(): Promise<State> {
  const [view, debuggerGranted, managementGranted] = await Promise.all([
    ask({ type: 'ui/settings' }),
    // Firefox has no `debugger` permission: deep inspection is Chrome's.
    import.meta.env.FIREFOX ? undefined : granted(DEBUGGER),
    granted(MANAGEMENT),
  ]);
  return {
    ...view,
    ...(debuggerGranted === undefined ? {} : { debuggerGranted }),
    ...(managementGranted === undefined ? {} : { managementGranted }),
  };
}

function Loading({ loadError }: { loadError?: string }) {
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

function Sections({ state, props }: { state: State; props: SectionProps }) {
  return (
    <>
      <SitesSection {...props} recognised={state.recognised} />
      <RootsSection {...props} />
      <RetentionSection {...props} />
      {!import.meta.env.FIREFOX && <DeepInspectionSection {...props} {...(state.debuggerGranted === undefined ? {} : { debuggerGranted: state.debuggerGranted })} />}
      <NotificationsSection {...props} />
      <InlinePreviewsSection {...props} />
      <ExtensionNamesSection {...props} {...(state.managementGranted === undefined ? {} : { managementGranted: state.managementGranted })} />
      <CollectorSection />
    </>
  );
}

export function App() {
  const [state, setState] = useState<State>();
  const [loadError, setLoadError] = useState<string>();
  const [status, setStatus] = useState<Status>();
  const reload = () => loadState().then(setState, (e: unknown) => setLoadError(message(e)));
  useEffect(() => {
    void reload();
    onStorageChanged(() => void loadState().then(setState));
  }, []);
  if (!state) return <Loading {...(loadError ? { loadError } : {})} />;

  const { local, managed } = state;
  const save = async (patch: Partial<Settings>, done = t('options.saved')) => {
    try {
      await ask({ type: 'ui/save-settings', patch });
      setState({ ...state, local: { ...local, ...patch } });
      setStatus({ ok: true, text: done });
    } catch (e) {
      setStatus({ ok: false, text: t('options.saveFailed', { error: message(e) }) });
    }
  };
  const props: SectionProps = { local, effective: mergeSettings(local, managed), locked: (key) => key in managed, save, setStatus, reload };
  return (
    <main data-ready="true">
      <header class="page-head">
        <h1>{t('options.heading')}</h1>
        <a href={browser.runtime.getURL('/incidents.html')}>{t('options.logLink')}</a>
      </header>
      {Object.keys(managed).length > 0 && <p class="managed-note">{t('options.lockedNote')}</p>}
      <div class="status-region" role="status" aria-live="polite">
        {status && <p class={`status ${status.ok ? 'status-ok' : 'status-error'}`}>{status.text}</p>}
      </div>
      <Sections state={state} props={props} />
    </main>
  );
}
