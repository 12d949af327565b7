import { render } from 'preact';
import { act } from 'preact/test-utils';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App as PopupApp } from '@/entrypoints/popup/App';
import type { TapguardDb } from '@/lib/store/db';
import { loadLocalSettings } from '@/lib/store/settings';
import { freshDb, seed } from './log-fixtures';
import { connectUiChannel } from './ui-channel';
import { waiterFor } from './wait-for-page';

let container: HTMLElement;
let db: TapguardDb;
let asked: ReturnType<typeof connectUiChannel>;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  db = freshDb();
  asked = connectUiChannel(db, 'popup.html');
});
afterEach(async () => {
  history.replaceState(null, '', '?');
  render(null, container);
  container.remove();
  await db.delete();
});

const until = waiterFor(() => container);
const q = <T extends Element = HTMLElement>(selector: string) => container.querySelector<T>(selector);

describe('popup', () => {
  it("shows the tab's events from the background, and marks one as expected through it", async () => {
    await seed(db, 4, { varied: true });
    const [incident] = await db.incidents.where('host').equals('mail.example.org').toArray();
    await fakeBrowser.storage.local.set({ settings: { userSites: ['mail.example.org'] } });
    const tab = await fakeBrowser.tabs.create({ url: 'https://mail.example.org/inbox', active: true });
    // The popup opened as a page for a given tab (`popup.html?tab=<id>`).
    history.replaceState(null, '', `?tab=${tab.id}`);
    await fakeBrowser.storage.session.set({ [`tab:${tab.id}`]: { host: 'mail.example.org', findings: { [incident!.dedupeKey]: 'high' } } });
    render(<PopupApp />, container);
    await until(() => q('main[data-ready="true"] li.event'), 'events');
    expect(asked).toHaveBeenCalledWith({ type: 'ui/popup-view', url: 'https://mail.example.org/inbox', tabId: tab.id });
    expect(q('li.event li.incident')!.dataset.rule).toBe(incident!.rule);
    expect(q('[data-total]')!.dataset.total).toBe('4');
    const mark = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Mark as expected')!;
    await act(() => mark.click());
    await until(() => q('details.expected'), 'expected');
    expect(q('main > .events > li.event')).toBeNull();
    expect(q('details.expected li.event')).not.toBeNull();
    expect((await loadLocalSettings()).expectedKeys).toEqual([incident!.dedupeKey]);
    expect(asked).toHaveBeenCalledWith({ type: 'ui/mark-expected', dedupeKeys: [incident!.dedupeKey] });
  });

  it('judges a tab whose page stretched its own URL past what a request may carry', async () => {
    await seed(db, 4, { varied: true });
    const [incident] = await db.incidents.where('host').equals('mail.example.org').toArray();
    await fakeBrowser.storage.local.set({ settings: { userSites: ['mail.example.org'] } });
    // history.replaceState with a 100,000-character query, as tests/e2e/reliability.test.ts's huge page does.
    const tab = await fakeBrowser.tabs.create({ url: `https://mail.example.org/inbox?pad=${'p'.repeat(100_000)}`, active: true });
    history.replaceState(null, '', `?tab=${tab.id}`);
    await fakeBrowser.storage.session.set({ [`tab:${tab.id}`]: { host: 'mail.example.org', findings: { [incident!.dedupeKey]: 'high' } } });
    render(<PopupApp />, container);
    await until(() => q('main[data-ready="true"] li.event'), 'events');
    expect(asked).toHaveBeenCalledWith({ type: 'ui/popup-view', url: 'https://mail.example.org/inbox', tabId: tab.id });
  });

  it('says so when the background cannot answer', async () => {
    asked.mockResolvedValue(undefined);
    await fakeBrowser.tabs.create({ url: 'https://mail.example.org/', active: true });
    render(<PopupApp />, container);
    await until(() => q('main[data-ready="true"] [role="alert"]'), 'error');
    expect(q('[role="alert"]')!.textContent).toContain('the background did not answer');
  });
});
