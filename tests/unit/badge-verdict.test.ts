import { describe, expect, it } from 'vitest';
import { badgeFor } from '@/lib/badge';
import { createTabStates, loadTabState, mergeRecorded } from '@/lib/tab-state';
import type { Recorded } from '@/lib/incidents';
import type { Incident, Severity } from '@/lib/types';
import { verdictFor } from '@/lib/verdict';
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
  it('keeps every concurrent outcome of a tab and starts afresh on reset', async () => {
    const tabs = createTabStates();
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => tabs.add(7, 'mail.example.org', [recorded(key, 'high')])));
    expect(Object.keys((await loadTabState(7))!.findings).sort()).toEqual(['a', 'b', 'c', 'd']);
    await tabs.reset(7);
    expect(await loadTabState(7)).toBeUndefined();
  });
  it('drops findings of the previous host when the tab moved on', async () => {
    const tabs = createTabStates();
    await tabs.add(3, 'mail.example.org', [recorded('a', 'high')]);
    const state = await tabs.add(3, 'chat.example.org', [recorded('b', 'low')]);
    expect(state).toEqual({ host: 'chat.example.org', findings: { b: 'low' } });
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
