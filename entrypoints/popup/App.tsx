import { useEffect, useState } from 'preact/hooks';
import { CapabilityList } from '@/components/CapabilityList';
import { EventList } from '@/components/EventList';
import { IncidentList } from '@/components/IncidentList';
import { VerdictBanner } from '@/components/VerdictBanner';
import { browser } from '@/lib/browser';
import { capabilitiesOf, type DeepState } from '@/lib/ui/capabilities';
import { groupIntoEvents, type EventGroup } from '@/lib/core/events';
import type { Incident } from '@/lib/core/types';
import { ask } from '@/lib/ui/ask';
import { t } from '@/lib/core/i18n';
import { verdictFor, type Verdict } from '@/lib/ui/verdict';
import { originAndPath } from '@/lib/core/url';

interface PopupState {
  host: string;
  verdict: Verdict;
  /** Seen on this tab's current page, as events (lib/core/events.ts), worst first. */
  current: EventGroup<Incident>[];
  /** Events of this page whose every sign the user marked as expected. */
  expected: EventGroup<Incident>[];
  /** Seen on this host before, on other pages or visits. */
  earlier: Incident[];
  total: number;
  deep: DeepState;
}

/** `?tab=<id>` shows a given tab: the same view, reachable when the popup is opened as a page. */
async function targetTab(): Promise<{ id?: number; url: string }> {
  const requested = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(requested) && requested > 0) {
    const tab = await browser.tabs.get(requested);
    return { id: requested, url: tab.url ?? '' };
  }
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  return { ...(active?.id !== undefined ? { id: active.id } : {}), url: active?.url ?? '' };
}

/**
 * The background reads the log and the tab's state (lib/background/ui-requests.ts); the popup judges.
 * It is sent the tab's origin and path only: that is all a site is told by, and a page can stretch
 * its own URL (history.replaceState) past what a request may carry.
 */
async function loadState(): Promise<PopupState> {
  const tab = await targetTab();
  const { host, site, seen, forHost, total, expectedKeys, deep } = await ask({ type: 'ui/popup-view', url: originAndPath(tab.url), ...(tab.id !== undefined ? { tabId: tab.id } : {}) });
  const shown = new Set(seen.map((i) => i.id));
  const isExpected = (i: Incident) => expectedKeys.includes(i.dedupeKey);
  // Worst first (groupIntoEvents sorts), so the event that explains the verdict is read first.
  const events = groupIntoEvents(seen);
  return {
    host,
    verdict: verdictFor(host, site, seen.filter((i) => !isExpected(i))),
    current: events.filter((e) => !e.signs.every(isExpected)),
    expected: events.filter((e) => e.signs.every(isExpected)),
    earlier: forHost.filter((i) => !shown.has(i.id)),
    total,
    deep,
  };
}

/**
 * Suppress an event: the dedupe keys of all its signs, so their repeats stay in the log but stop
 * badging and alarming. A sign it did not cover yet (seen later) still shows, with the event.
 */
async function markExpected(event: EventGroup<Incident>): Promise<void> {
  await ask({ type: 'ui/mark-expected', dedupeKeys: event.signs.map((s) => s.dedupeKey) });
}

/** Trust the private root of an untrusted-root incident for this host only. */
async function trustRoot(incident: Incident): Promise<void> {
  await ask({ type: 'ui/trust-root', host: incident.host, rootSha256: String(incident.evidence.rootSha256 ?? '') });
}

type Act = (action: () => Promise<void>) => () => void;

/** Trusting a private root asks first, inline: Firefox popups cannot show window.confirm. */
function TrustRootAction({ incident, act }: { incident: Incident; act: Act }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        {t('popup.trustRoot', { host: incident.host })}
      </button>
    );
  return (
    <div class="confirm" role="alertdialog" aria-label="Trust this root?">
      <p>{t('popup.trustWarning')}</p>
      <button type="button" class="danger" onClick={act(() => trustRoot(incident))}>
        {t('popup.trustYes', { host: incident.host })}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        {t('popup.cancel')}
      </button>
    </div>
  );
}

function EventActions({ event, act }: { event: EventGroup<Incident>; act: Act }) {
  const untrusted = event.signs.find((s) => s.rule === 'cert.untrusted-root' && typeof s.evidence.rootSha256 === 'string');
  const coversId = `covers-${event.key}`;
  return (
    <>
      {untrusted && <TrustRootAction incident={untrusted} act={act} />}
      <button type="button" aria-describedby={coversId} onClick={act(() => markExpected(event))}>
        {t('popup.markExpected')}
      </button>
      <p class="covers" id={coversId}>
        {event.signs.length === 1 ? t('popup.covers.one') : t('popup.covers', { count: event.signs.length })}
      </p>
    </>
  );
}

export function App() {
  const [state, setState] = useState<PopupState>();
  const [error, setError] = useState<string>();
  const reload = () => loadState().then(setState, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  useEffect(() => {
    void reload();
  }, []);
  const family = import.meta.env.FIREFOX ? 'firefox' : 'chrome';
  const act: Act = (action) => () => void action().then(reload, (e: unknown) => setError(String(e)));
  const actions = (event: EventGroup<Incident>) => <EventActions event={event} act={act} />;

  return (
    <main data-ready={state || error ? 'true' : 'false'}>
      <h1>{t('popup.heading')}</h1>
      {error && (
        <p class="error" role="alert">
          {t('popup.readError', { error })}
        </p>
      )}
      {state && (
        <>
          <VerdictBanner verdict={state.verdict} />
          <EventList events={state.current} label={t('popup.eventsLabel')} idPrefix="event" actions={actions} />
          {state.expected.length > 0 && (
            <details class="earlier expected">
              <summary>{t('popup.expectedSummary', { count: state.expected.length })}</summary>
              <EventList events={state.expected} label={t('popup.expectedLabel')} idPrefix="expected" />
            </details>
          )}
          {state.earlier.length > 0 && (
            <details class="earlier">
              <summary>{t(state.earlier.length === 1 ? 'popup.earlierSummary.one' : 'popup.earlierSummary', { count: state.earlier.length, host: state.host })}</summary>
              <IncidentList incidents={state.earlier} label={t('popup.earlierLabel', { host: state.host })} />
            </details>
          )}
          <CapabilityList capabilities={capabilitiesOf(family, state.deep, state.host)} />
          <p class="total">
            <span data-total={state.total}>{t(state.total === 1 ? 'popup.total.one' : 'popup.total', { count: state.total })}</span>{' '}
            <a href={browser.runtime.getURL('/incidents.html')} target="_blank" rel="noreferrer">
              {t('popup.openLog')}
            </a>{' '}
            ·{' '}
            <a href={browser.runtime.getURL('/options.html')} target="_blank" rel="noreferrer">
              {t('popup.settings')}
            </a>
          </p>
        </>
      )}
    </main>
  );
}
