import { useEffect, useState } from 'preact/hooks';
import { CapabilityList } from '@/components/CapabilityList';
import { IncidentList } from '@/components/IncidentList';
import { VerdictBanner } from '@/components/VerdictBanner';
import { browser } from '@/lib/browser';
import { capabilitiesOf, type DeepState } from '@/lib/capabilities';
import { openDb } from '@/lib/db';
import { countIncidents, incidentsForHost, incidentsForKeys } from '@/lib/queries';
import { loadSiteLists } from '@/lib/settings';
import { resolveSite } from '@/lib/sites';
import { loadDeepStatus, loadTabState } from '@/lib/tab-state';
import type { Incident } from '@/lib/types';
import { hostOf } from '@/lib/url';
import { verdictFor, type Verdict } from '@/lib/verdict';

interface PopupState {
  host: string;
  verdict: Verdict;
  /** Seen on this tab's current page. */
  current: Incident[];
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

async function loadState(): Promise<PopupState> {
  const db = openDb();
  const [tab, lists] = await Promise.all([targetTab(), loadSiteLists()]);
  const host = hostOf(tab.url);
  const site = resolveSite(host, lists);
  const [tabState, deep] = tab.id !== undefined ? await Promise.all([loadTabState(tab.id), loadDeepStatus(tab.id)]) : [undefined, undefined];
  const keys = tabState?.host === host ? Object.keys(tabState.findings) : [];
  const [current, forHost, total] = await Promise.all([
    incidentsForKeys(db, keys),
    site ? incidentsForHost(db, host, 20) : [],
    countIncidents(db),
  ]);
  const shown = new Set(current.map((i) => i.id));
  return {
    host,
    verdict: verdictFor(host, site, current),
    current,
    earlier: forHost.filter((i) => !shown.has(i.id)),
    total,
    deep,
  };
}

export function App() {
  const [state, setState] = useState<PopupState>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadState().then(setState, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  const family = import.meta.env.FIREFOX ? 'firefox' : 'chrome';

  return (
    <main data-ready={state || error ? 'true' : 'false'}>
      <h1>tapguard</h1>
      {error && (
        <p class="error" role="alert">
          Could not read the incident log: {error}
        </p>
      )}
      {state && (
        <>
          <VerdictBanner verdict={state.verdict} />
          <IncidentList incidents={state.current} label="Seen on this page" />
          {state.earlier.length > 0 && (
            <details class="earlier">
              <summary>
                {state.earlier.length} earlier {state.earlier.length === 1 ? 'incident' : 'incidents'} on {state.host}
              </summary>
              <IncidentList incidents={state.earlier} label={`Earlier on ${state.host}`} />
            </details>
          )}
          <CapabilityList capabilities={capabilitiesOf(family, state.deep)} />
          <p class="total">
            <span data-total={state.total}>{state.total}</span> {state.total === 1 ? 'incident' : 'incidents'} recorded in all.
          </p>
        </>
      )}
    </main>
  );
}
