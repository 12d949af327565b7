import { describe, expect, it } from 'vitest';
import { badgeFor } from '@/lib/core/badge';
import { createTabStates, loadTabState, mergeRecorded } from '@/lib/background/tab-state';
import type { Recorded } from '@/lib/store/incidents';
import type { Incident, Severity } from '@/lib/core/types';
import { verdictFor } from '@/lib/ui/verdict';
import { selfHosted } from './fixtures';

const recorded = (dedupeKey: string, severity: Severity): Recorded => ({ status: 'new', incident: { dedupeKey, severity } as Incident });

describe('badge', () => {
  it('is empty below medium and counts medium and above in the worst colour', () => {
    let tab = mergeRecorded({ host: 'h', findings: {} }, [recorded('a', 'info'), recorded('b', 'low')]);
    expect(badgeFor(Object.values(tab.findings)).text).toBe('');
    tab = mergeRecorded(tab, [recorded('c', 'medium'), recorded('d', 'critical'), recorded('d', 'critical')]);
    expect(badgeFor(Object.values(tab.findings))).toEqual({ text: '2', color: '#8b0000' });
  });
});

describe('tab state', () => {
  it('keeps every concurrent outcome of a tab and starts afresh when a new document commits', async () => {
    const tabs = createTabStates();
    await tabs.commit(7, 'mail.example.org', 1, true);
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => tabs.add(7, { host: 'mail.example.org' }, [recorded(key, 'high')])));
    expect(Object.keys((await loadTabState(7))!.findings).sort()).toEqual(['a', 'b', 'c', 'd']);
    await tabs.commit(7, 'mail.example.org', 2, true);
    expect((await loadTabState(7))!.findings).toEqual({});
  });
  it('keeps the verdict when a frame on another watched host reports', async () => {
    const tabs = createTabStates();
    await tabs.commit(3, 'mail.example.org', 1, true);
    await tabs.add(3, { host: 'mail.example.org' }, [recorded('a', 'high')]);
    const state = await tabs.add(3, { host: 'chat.example.org', topHost: 'mail.example.org' }, [recorded('b', 'low')]);
    expect(state).toMatchObject({ host: 'mail.example.org', findings: { a: 'high', b: 'low' } });
    // A request of a frame (no top host known) adds to the page's verdict too.
    expect(await tabs.add(3, { host: 'chat.example.org' }, [recorded('c', 'medium')])).toMatchObject({ host: 'mail.example.org', findings: { a: 'high', b: 'low', c: 'medium' } });
  });
  it('keeps the verdict through a navigation that never commits (a 204 answer)', async () => {
    const tabs = createTabStates();
    await tabs.commit(4, 'mail.example.org', 1, true);
    await tabs.add(4, { host: 'mail.example.org' }, [recorded('a', 'critical')]);
    // The navigation's own request found nothing and never committed: nothing changes.
    expect(await tabs.add(4, { navigation: true, host: 'mail.example.org', startedAt: 5 }, [])).toBeUndefined();
    expect((await loadTabState(4))!.findings).toEqual({ a: 'critical' });
  });
  it("carries a navigation's own findings (certificate, headers) into the document it commits", async () => {
    const tabs = createTabStates();
    await tabs.commit(5, 'news.example.com', 1, true);
    await tabs.add(5, { navigation: true, host: 'mail.example.org', startedAt: 10 }, [recorded('cert', 'critical')]);
    expect((await loadTabState(5))!.findings).toEqual({});
    expect(await tabs.commit(5, 'mail.example.org', 20, true)).toMatchObject({ host: 'mail.example.org', findings: { cert: 'critical' } });
    // Slower than the commit: still this document's.
    expect(await tabs.add(5, { navigation: true, host: 'mail.example.org', startedAt: 10 }, [recorded('hsts', 'high')])).toMatchObject({ findings: { cert: 'critical', hsts: 'high' } });
  });
  it('drops a late message of the previous document', async () => {
    const tabs = createTabStates();
    await tabs.commit(6, 'chat.example.org', 1, true);
    expect(await tabs.add(6, { host: 'mail.example.org', topHost: 'mail.example.org' }, [recorded('a', 'high')])).toBeUndefined();
    expect((await loadTabState(6))!.findings).toEqual({});
  });
  it('writes nothing when an unwatched page commits in a tab without a state', async () => {
    const tabs = createTabStates();
    expect(await tabs.commit(8, 'news.example.com', 1, false)).toBeUndefined();
    expect(await loadTabState(8)).toBeUndefined();
  });
});

describe('verdict', () => {
  it('says plainly when a page is not watched', () => {
    expect(verdictFor('news.example.com', undefined, []).level).toBe('not-monitored');
  });
  it('is clear with nothing or only low findings', () => {
    expect(verdictFor('mail.example.org', selfHosted, [{ severity: 'low' }])).toEqual({ level: 'clear', headline: 'Nothing suspicious seen on mail.example.org.' });
  });
  it('warns on medium and calls high or critical danger', () => {
    expect(verdictFor('mail.example.org', selfHosted, [{ severity: 'medium' }]).level).toBe('warning');
    expect(verdictFor('mail.example.org', selfHosted, [{ severity: 'low' }, { severity: 'critical' }]).level).toBe('danger');
  });
});
