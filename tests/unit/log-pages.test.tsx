import { render } from 'preact';
import { act } from 'preact/test-utils';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App as LogApp, VerifyResult } from '@/entrypoints/incidents/App';
import { dateInputToTs, tsToDateInput } from '@/entrypoints/incidents/Filters';
import { IncidentRow } from '@/entrypoints/incidents/IncidentRow';
import { Timeline } from '@/entrypoints/incidents/Timeline';
import { App as OptionsApp } from '@/entrypoints/options/App';
import { checkRetention, checkRoot, checkSite, formatFingerprint } from '@/entrypoints/options/validate';
import { openDb } from '@/lib/store/db';
import { loadLocalSettings } from '@/lib/store/settings';
import type { Incident } from '@/lib/core/types';
import { seed } from './log-fixtures';
import { connectUiChannel } from './ui-channel';
import { waiterFor } from './wait-for-page';

let container: HTMLElement;
let asked: ReturnType<typeof connectUiChannel>;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  asked = connectUiChannel(openDb());
});
afterEach(async () => {
  render(null, container);
  container.remove();
  await openDb().delete();
});

const until = waiterFor(() => container);
const q = <T extends Element = HTMLElement>(selector: string) => container.querySelector<T>(selector);
const all = (selector: string) => [...container.querySelectorAll(selector)];
async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
async function click(element: Element | null) {
  await act(() => (element as HTMLElement).click());
}

const hostile: Incident = {
  id: 7,
  ts: Date.UTC(2026, 0, 1),
  kind: 'script-injection',
  rule: 'script.new-origin',
  severity: 'high',
  host: 'mail.example.org',
  url: 'https://mail.example.org/',
  browser: 'Chrome/140',
  title: 'A script from a new source appeared on mail.example.org',
  advice: 'Be careful.',
  evidence: { scriptUrl: '<img src=x onerror="alert(1)">' },
  dedupeKey: 'k',
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
};

describe('incident log components', () => {
  it('shows evidence as text, never as markup, with its repeat count', async () => {
    render(<IncidentRow record={hostile} loadOccurrence={async () => ({ dedupeKey: 'k', incidentId: 7, host: 'h', count: 3, firstTs: 1, lastTs: 2 })} />, container);
    expect(q('.record-details')).toBeNull();
    const button = q<HTMLButtonElement>('button.expand')!;
    expect(button.getAttribute('aria-expanded')).toBe('false');
    await click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(q('img')).toBeNull();
    expect(q('.evidence')!.textContent).toContain('<img src=x onerror=\\"alert(1)\\">');
    await until(() => q('.repeats')?.getAttribute('data-count') === '3');
    expect(q('.repeats')!.textContent).toContain('3 times');
  });

  it('draws a labelled bar per day with incidents', () => {
    const empty = { 'tls-downgrade': 0, 'cert-anomaly': 0, 'script-injection': 0 };
    const bars = Array.from({ length: 14 }, () => ({ ...empty }));
    bars[3] = { 'tls-downgrade': 2, 'cert-anomaly': 1, 'script-injection': 0 };
    bars[10] = { ...empty, 'script-injection': 4 };
    render(<Timeline data={{ start: new Date(2026, 0, 1).getTime(), bucketDays: 1, bars, max: 4, total: 7 }} />, container);
    expect(all('g.bar').map((g) => g.getAttribute('data-count'))).toEqual(['3', '4']);
    expect(all('g.bar')[0]!.getAttribute('data-day')).toBe(new Date(2026, 0, 4).toISOString().slice(0, 10));
    expect(all('g.bar')[0]!.querySelectorAll('rect')).toHaveLength(2);
    expect(q('svg')!.getAttribute('role')).toBe('img');
    expect(q('desc')!.textContent).toContain('7 incidents');
  });

  it('states a verification result, with the broken line', () => {
    render(<VerifyResult file="log.jsonl" result={{ ok: false, count: 2, line: 4, reason: 'hash-mismatch', message: 'x' }} />, container);
    expect(q('[data-verify]')!.getAttribute('data-verify')).toBe('broken');
    expect(q('[data-verify]')!.textContent).toBe('log.jsonl: BROKEN at line 4: its content does not match its hash: the record was changed.');
    render(<VerifyResult file="log.jsonl" result={{ ok: true, count: 5, markers: 0, events: 0, startsAtGenesis: true, holes: 0, removedIds: 0 }} />, container);
    expect(q('[data-verify]')!.textContent).toBe('log.jsonl: chain intact, 5 records.');
  });

  it('says where retention left holes, and that the header is not verified', () => {
    const header = { tapguardVersion: '0.1.0', browser: 'Firefox/140.0', exportedAt: '2026-05-01T12:00:00.000Z' };
    render(<VerifyResult file="log.jsonl" result={{ ok: true, count: 5, markers: 1, events: 0, startsAtGenesis: false, holes: 2, removedIds: 7, header }} />, container);
    const text = q('[data-verify]')!.textContent!;
    expect(text).toContain('It starts after older records');
    expect(text).toContain('Retention removed low or medium records from 2 places in it (7 ids are missing)');
    expect(text).toContain('(not covered by the hash chain, so not verified) says: Exported by tapguard 0.1.0 in Firefox/140.0');
    render(<VerifyResult file="log.jsonl" result={{ ok: false, count: 0, line: 2, reason: 'not-canonical', message: 'repeated keys' }} />, container);
    expect(q('[data-verify]')!.textContent).toBe('log.jsonl: BROKEN at line 2: the line is not written the way tapguard writes it (repeated keys).');
  });

  it('turns date inputs into a local day range', () => {
    expect(dateInputToTs('2026-03-05', false)).toBe(new Date(2026, 2, 5).getTime());
    expect(dateInputToTs('2026-03-05', true)).toBe(new Date(2026, 2, 6).getTime() - 1);
    expect(dateInputToTs('', false)).toBeUndefined();
    expect(tsToDateInput(new Date(2026, 2, 5, 13).getTime())).toBe('2026-03-05');
  });
});

describe('incident log page', () => {
  it('lists, filters, and clears the log after confirmation', async () => {
    const db = openDb();
    await seed(db, 60, { varied: true, start: Date.now() - 60 * 60_000 });
    db.close();
    render(<LogApp />, container);
    await until(() => all('li.record').length === 50);
    expect(q('[data-total]')!.getAttribute('data-total')).toBe('60');
    expect(q('.summary')!.textContent).toBe('60 incidents in the log');
    expect(all('g.bar').length).toBeGreaterThan(0);

    await act(() => {
      const select = q<HTMLSelectElement>('select[name="host"]')!;
      select.value = 'chat.example.org';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await until(() => q('[data-total]')?.getAttribute('data-total') === '30', 'host filter');
    expect(asked).toHaveBeenCalledWith({ type: 'ui/log-view', filter: { host: 'chat.example.org' }, offset: 0, limit: 50 });

    await click(q('button[data-action="clear"]'));
    expect(q('[role="alertdialog"]')!.textContent).toContain('deletes all 60 records');
    expect(document.activeElement?.textContent).toBe('Cancel');
    await click(q('button[data-action="confirm-clear"]'));
    await until(() => all('li.record').length === 1, 'cleared');
    expect(q('li.record')!.classList.contains('marker')).toBe(true);
    expect(q('.summary')!.textContent).toBe('0 incidents in the log');
    expect(container.textContent).toContain('The log was cleared (60 records deleted).');
    expect(asked).toHaveBeenCalledWith({ type: 'ui/clear-log' });
  });

  it('exports through the background, chunk by chunk, into one download', { timeout: 30_000 }, async () => {
    const db = openDb();
    await seed(db, 1200);
    db.close();
    const blobs: Blob[] = [];
    vi.spyOn(fakeBrowser.runtime, 'getManifest').mockReturnValue({ manifest_version: 3, name: 'tapguard', version: '0.1.0' });
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => (blobs.push(blob as Blob), 'blob:export'));
    render(<LogApp />, container);
    await until(() => q('.summary'));
    await click(q('button[data-action="export-jsonl"]'));
    await until(() => q('a[data-export="jsonl"]'), 'export');
    expect(container.textContent).toContain('1200 records');
    const nexts = asked.mock.calls.filter(([m]) => (m as { type: string }).type === 'ui/export-next');
    expect(nexts.length).toBeGreaterThan(1);
    const text = await blobs[0]!.text();
    expect(text.trim().split('\n')).toHaveLength(1201);
  });
});

describe('options page', () => {
  const fp = 'AB:'.repeat(31) + 'AB';

  it('validates what users type, with messages that say what to do', () => {
    expect(checkSite(' Mail.Example.org ', [])).toEqual({ ok: true, value: 'mail.example.org' });
    expect(checkSite('mail.example.org/inbox', [])).toMatchObject({ ok: false, error: expect.stringContaining('not a host name') });
    expect(checkSite('mail.example.org', ['mail.example.org'])).toMatchObject({ ok: false, error: expect.stringContaining('already') });
    expect(checkRoot('mail.example.org', fp)).toEqual({ ok: true, value: { host: 'mail.example.org', fingerprint: 'ab'.repeat(32) } });
    expect(checkRoot('*.example.org', fp)).toMatchObject({ ok: false });
    expect(checkRoot('mail.example.org', 'abc')).toMatchObject({ ok: false, error: expect.stringContaining('64 hexadecimal') });
    expect(checkRetention('30', '5000')).toEqual({ ok: true, value: { retentionDays: 30, maxIncidents: 5000 } });
    expect(checkRetention('0', '5000')).toMatchObject({ ok: false });
    expect(checkRetention('30', '10')).toMatchObject({ ok: false });
    expect(checkRetention('3.5', '5000')).toMatchObject({ ok: false });
    expect(formatFingerprint('ab01')).toBe('AB:01');
  });

  it('adds a site after rejecting a bad one, and adds a trusted root', async () => {
    render(<OptionsApp />, container);
    await until(() => q('main[data-ready="true"] input[name="site"]'));
    const site = q<HTMLInputElement>('input[name="site"]')!;
    await type(site, 'not a host');
    await click(site.form!.querySelector('button[type="submit"]'));
    expect(q('#site-error')!.textContent).toContain('"not a host" is not a host name');
    expect(site.getAttribute('aria-invalid')).toBe('true');
    await type(site, 'chat.example.org');
    await click(site.form!.querySelector('button[type="submit"]'));
    await until(() => q('[data-list="user-sites"]')?.textContent?.includes('chat.example.org'));
    expect(q('#site-error')).toBeNull();
    expect((await loadLocalSettings()).userSites).toEqual(['chat.example.org']);
    expect(asked).toHaveBeenCalledWith({ type: 'ui/save-settings', patch: { userSites: ['chat.example.org'] } });

    await type(q<HTMLInputElement>('input[name="root-host"]')!, 'mail.example.org');
    await type(q<HTMLInputElement>('input[name="root-fingerprint"]')!, fp);
    await click(q('[data-section="roots"] button[type="submit"]'));
    await until(() => q('[data-list="roots"]'));
    expect((await loadLocalSettings()).trustedRoots).toEqual({ 'mail.example.org': ['ab'.repeat(32)] });
  });

  it('keeps inline previews off until the user switches them on', async () => {
    render(<OptionsApp />, container);
    await until(() => q('main[data-ready="true"] input[name="inlinePreviews"]'));
    expect(q<HTMLInputElement>('input[name="inlinePreviews"]')!.checked).toBe(false);
    expect((await loadLocalSettings()).inlinePreviews).toBe(false);
    await click(q('input[name="inlinePreviews"]'));
    await vi.waitFor(async () => expect((await loadLocalSettings()).inlinePreviews).toBe(true));
  });

  it('asks Chrome for the debugger permission before switching deep inspection on', async () => {
    const request = vi.spyOn(fakeBrowser.permissions, 'request').mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    render(<OptionsApp />, container);
    await until(() => q('main[data-ready="true"] input[name="deep-inspection"]'));
    const box = () => q<HTMLInputElement>('input[name="deep-inspection"]')!;
    await click(box());
    await until(() => container.textContent?.includes('did not grant'), 'denial');
    expect((await loadLocalSettings()).deepInspection).toBe(false);
    await click(box());
    await vi.waitFor(async () => expect((await loadLocalSettings()).deepInspection).toBe(true));
    expect(request).toHaveBeenCalledWith({ permissions: ['debugger'] });
  });

  it('shows what an administrator set as locked', async () => {
    await fakeBrowser.storage.managed.set({ retentionDays: 90, maxIncidents: 2000, userSites: ['corp.example.com'] });
    render(<OptionsApp />, container);
    await until(() => q('main[data-ready="true"] [data-section="retention"]'));
    expect(q<HTMLInputElement>('input[name="retention-days"]')!.disabled).toBe(true);
    expect(q<HTMLInputElement>('input[name="retention-days"]')!.value).toBe('90');
    expect(q('[data-section="sites"] [data-locked]')).not.toBeNull();
    expect(q('input[name="site"]')).toBeNull();
    expect(q('[data-list="user-sites"]')!.textContent).toContain('corp.example.com');
    expect(q('[data-section="notifications"] [data-locked]')).toBeNull();
  });
});
