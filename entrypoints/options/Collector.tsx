import { useEffect, useState } from 'preact/hooks';
import { browser } from '@/lib/browser';
import { collectorOriginPattern } from '@/lib/background/collector/policy';
import { t } from '@/lib/core/i18n';
import { ask } from '@/lib/ui/ask';
import type { CollectorView } from '@/lib/ui-messages';

interface View extends CollectorView {
  /** Whether the browser grants host access to the collector's origin (a user may restrict it in Chrome). */
  hostAccess?: boolean;
}

const REFRESH_MS = 5000;

async function loadView(): Promise<View> {
  const { policy, status } = await ask({ type: 'ui/collector' });
  if (!policy) return {};
  const [hostAccess] = await Promise.all([
    // Some builds (and test fakes) lack the call or throw: then the page cannot tell.
    Promise.resolve()
      .then(() => browser.permissions.contains({ origins: [collectorOriginPattern(policy)] }))
      .catch(() => undefined),
  ]);
  return { policy, ...(status ? { status } : {}), ...(hostAccess === undefined ? {} : { hostAccess }) };
}

const when = (ts: number) => new Date(ts).toLocaleString();

/** The queue and the last delivery or failure, as the background's collector left them. */
function DeliveryState({ status }: { status: View['status'] }) {
  const state = status?.state;
  return (
    <>
      <dt>{t('collector.queue')}</dt>
      <dd data-field="queued" data-count={status?.queued ?? 0}>
        {status?.queued ?? 0}
        {state?.dropped ? ` ${t('collector.dropped', { count: state.dropped })}` : ''}
      </dd>
      {state?.refused && state.lastRefused ? (
        <>
          <dt>{t('collector.refused')}</dt>
          <dd data-field="refused">{t('collector.refusedCount', { count: state.refused, hash: state.lastRefused.hash, error: state.lastRefused.error, time: when(state.lastRefused.ts) })}</dd>
        </>
      ) : null}
      <dt>{t('collector.lastDelivery')}</dt>
      <dd data-field="last-delivery">{state?.lastDelivery ? t('collector.delivered', { count: state.lastDelivery.count, time: when(state.lastDelivery.ts) }) : t('collector.never')}</dd>
      {state?.lastError && (
        <>
          <dt>{t('collector.lastError')}</dt>
          <dd data-field="last-error">
            {t('collector.failed', { error: state.lastError.message, time: when(state.lastError.ts) })}
            {state.nextAttemptAt > Date.now() ? ` ${t('collector.retry', { time: when(state.nextAttemptAt) })}` : ''}
          </dd>
        </>
      )}
    </>
  );
}

function PolicyDetails({ view, policy }: { view: View; policy: NonNullable<View['policy']> }) {
  return (
    <dl class="collector">
      <dt>{t('collector.url')}</dt>
      <dd data-field="url">{policy.url}</dd>
      <dt>{t('collector.format')}</dt>
      <dd data-field="format">{policy.format}</dd>
      <dt>{t('collector.minSeverity')}</dt>
      <dd data-field="min-severity">{policy.minSeverity}</dd>
      {policy.device && (
        <>
          <dt>{t('collector.device')}</dt>
          <dd data-field="device">{policy.device}</dd>
        </>
      )}
      <DeliveryState status={view.status} />
      {view.hostAccess === false && <dd class="field-error">{t('collector.noHostAccess')}</dd>}
    </dl>
  );
}

/** The organisation collector as the policy set it: read-only, with its queue and last delivery. */
export function CollectorSection() {
  const [view, setView] = useState<View>();
  useEffect(() => {
    let live = true;
    const refresh = () => void loadView().then((next) => live && setView(next), () => undefined);
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!view) return null;
  const { policy } = view;
  return (
    <section class="card" aria-labelledby="collector-heading" data-section="collector" data-collector={policy ? 'on' : 'off'}>
      <div class="section-head">
        <h2 id="collector-heading">{t('collector.heading')}</h2>
        {policy && (
          <span class="locked" data-locked="true">
            <span aria-hidden="true">🔒 </span>
            {t('options.locked')}
          </span>
        )}
      </div>
      {!policy ? <p class="note">{t('collector.off')}</p> : <PolicyDetails view={view} policy={policy} />}
    </section>
  );
}
