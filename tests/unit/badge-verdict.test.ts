import { describe, expect, it } from 'vitest';
import { addRecorded, badgeFor } from '@/lib/badge';
import type { Recorded } from '@/lib/incidents';
import type { Incident, Severity } from '@/lib/types';
import { verdictFor } from '@/lib/verdict';
import { selfHosted } from './fixtures';

const recorded = (dedupeKey: string, severity: Severity): Recorded => ({ status: 'new', incident: { dedupeKey, severity } as Incident });

describe('badge', () => {
  it('is empty below medium and counts medium and above in the worst colour', () => {
    const tab = new Map();
    addRecorded(tab, [recorded('a', 'info'), recorded('b', 'low')]);
    expect(badgeFor(tab).text).toBe('');
    addRecorded(tab, [recorded('c', 'medium'), recorded('d', 'critical'), recorded('d', 'critical')]);
    expect(badgeFor(tab)).toEqual({ text: '2', color: '#8b0000' });
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
