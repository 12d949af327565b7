import type { Permissions } from 'webextension-polyfill';
import { browser } from '@/lib/browser';
import { t } from '@/lib/core/i18n';
import { message, Section, type SectionProps } from './parts';

// Chrome's `debugger` is missing from webextension-polyfill's (Firefox-derived) permission names.
export const DEBUGGER = { permissions: ['debugger'] } as unknown as Permissions.Permissions;
export const NOTIFICATIONS: Permissions.Permissions = { permissions: ['notifications'] };
export const MANAGEMENT: Permissions.Permissions = { permissions: ['management'] };

/**
 * A setting that needs an optional permission: the prompt needs the click's user gesture, so it
 * is requested before anything is awaited, and only what was granted is stored.
 */
function togglePermission(permission: Permissions.Permissions, key: 'deepInspection' | 'notifications', denied: 'deep.denied' | 'notifications.denied', { save, setStatus, reload }: SectionProps) {
  return (on: boolean) => {
    if (!on) {
      void save({ [key]: false });
      void browser.permissions.remove(permission).catch(() => undefined);
      return;
    }
    browser.permissions.request(permission).then(
      (granted) => {
        if (granted) void save({ [key]: true }).then(reload);
        else setStatus({ ok: false, text: t(denied) });
      },
      (e: unknown) => setStatus({ ok: false, text: `${t(denied)} (${message(e)})` }),
    );
  };
}

export function DeepInspectionSection(props: SectionProps & { debuggerGranted?: boolean }) {
  const { effective, locked } = props;
  const toggle = togglePermission(DEBUGGER, 'deepInspection', 'deep.denied', props);
  return (
    <Section id="deep" title={t('deep.heading')} locked={locked('deepInspection')}>
      <p class="muted">{t('deep.explain')}</p>
      <label class="checkbox">
        <input type="checkbox" name="deep-inspection" checked={effective.deepInspection} disabled={locked('deepInspection')} onChange={(e) => toggle(e.currentTarget.checked)} />
        {t('deep.label')}
      </label>
      {effective.deepInspection && props.debuggerGranted === false && <p class="field-error">{t('deep.missing')}</p>}
    </Section>
  );
}

export function NotificationsSection(props: SectionProps) {
  const { effective, locked } = props;
  const toggle = togglePermission(NOTIFICATIONS, 'notifications', 'notifications.denied', props);
  return (
    <Section id="notifications" title={t('notifications.heading')} locked={locked('notifications')}>
      <label class="checkbox">
        <input type="checkbox" name="notifications" checked={effective.notifications} disabled={locked('notifications')} onChange={(e) => toggle(e.currentTarget.checked)} />
        {t('notifications.label')}
      </label>
    </Section>
  );
}

export function InlinePreviewsSection({ effective, save }: SectionProps) {
  return (
    <Section id="inline-previews" title={t('previews.heading')}>
      <label class="checkbox">
        <input type="checkbox" name="inlinePreviews" checked={effective.inlinePreviews} onChange={(e) => void save({ inlinePreviews: e.currentTarget.checked })} />
        {t('previews.label')}
      </label>
    </Section>
  );
}

/** The permission is the whole setting: granted means names are looked up, removed means not. */
export function ExtensionNamesSection({ setStatus, reload, managementGranted }: SectionProps & { managementGranted?: boolean }) {
  const toggle = (on: boolean) => {
    const change = on ? browser.permissions.request(MANAGEMENT) : browser.permissions.remove(MANAGEMENT).then(() => false);
    change.then(
      (granted) => {
        if (on && !granted) setStatus({ ok: false, text: t('extensionNames.denied') });
        void reload();
      },
      (e: unknown) => setStatus({ ok: false, text: `${t('extensionNames.denied')} (${message(e)})` }),
    );
  };
  return (
    <Section id="extension-names" title={t('extensionNames.heading')}>
      <label class="checkbox">
        <input type="checkbox" name="extensionNames" checked={managementGranted === true} onChange={(e) => toggle(e.currentTarget.checked)} />
        {t('extensionNames.label')}
      </label>
    </Section>
  );
}
