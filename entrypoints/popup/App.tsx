import { useEffect, useState } from 'preact/hooks';
import { CapabilityList } from '@/components/CapabilityList';
import { IncidentList } from '@/components/IncidentList';
import { VerdictBanner } from '@/components/VerdictBanner';
import { browser } from '@/lib/browser';
import { capabilitiesOf } from '@/lib/capabilities';
import { openDb } from '@/lib/db';
import { countIncidents, incidentsForHost } from '@/lib/queries';
import { loadSiteLists } from '@/lib/settings';
import { resolveSite } from '@/lib/sites';
import type { Incident } from '@/lib/types';
import { hostOf } from '@/lib/url';
import { verdictFor, type Verdict } from '@/lib/verdict';

interface PopupState {
  host: string;
  verdict: Verdict;
  incidents: Incident[];
  total: number;
}

/** `?tab=<id>` shows a given tab: the same view, reachable when the popup is opened as a page. */
async function targetTabUrl(): Promise<string> {
  const requested = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(requested) && requested > 0) return (await browser.tabs.get(requested)).url ?? '';
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  return active?.url ?? '';
}

async function loadState(): Promise<PopupState> {
  const db = openDb();
  const [url, lists] = await Promise.all([targetTabUrl(), loadSiteLists()]);
  const host = hostOf(url);
  const site = resolveSite(host, lists);
  const [incidents, total] = await Promise.all([site ? incidentsForHost(db, host) : [], countIncidents(db)]);
  return { host, verdict: verdictFor(host, site, incidents), incidents, total };
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
          <IncidentList incidents={state.incidents} />
          <CapabilityList capabilities={capabilitiesOf(family)} />
          <p class="total">
            <span data-total={state.total}>{state.total}</span> {state.total === 1 ? 'incident' : 'incidents'} recorded in all.
          </p>
        </>
      )}
    </main>
  );
}
