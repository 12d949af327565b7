import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  addRecognisedHost,
  DEFAULT_SETTINGS,
  loadRecognisedHosts,
  loadSettings,
  loadSiteLists,
  normaliseFingerprint,
  normaliseSettings,
  onStorageChanged,
  publishSiteLists,
  saveSettings,
} from '@/lib/settings';
import { PUBLISHED_SITE_LISTS_KEY, readPublishedSiteLists, sameSiteLists } from '@/lib/sites/published';

const fp = 'AB:'.repeat(31) + 'AB';

describe('settings', () => {
  it('returns defaults for nothing stored', async () => {
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
  });
  it('keeps valid values and drops invalid ones', () => {
    const settings = normaliseSettings({
      userSites: ['Mail.Example.org', 'not a host', 42, 'mail.example.org'],
      trustedRoots: { 'mail.example.org': [fp, 'nope'], 'bad host': [fp] },
      retentionDays: -3,
    });
    expect(settings.userSites).toEqual(['mail.example.org']);
    expect(settings.trustedRoots).toEqual({ 'mail.example.org': ['ab'.repeat(32)] });
    expect(settings.retentionDays).toBe(DEFAULT_SETTINGS.retentionDays);
  });
  it('round-trips through storage', async () => {
    await saveSettings({ ...DEFAULT_SETTINGS, userSites: ['chat.example.org'] });
    expect((await loadSettings()).userSites).toEqual(['chat.example.org']);
  });
  it('normalises fingerprints as users paste them', () => {
    expect(normaliseFingerprint(fp)).toBe('ab'.repeat(32));
    expect(normaliseFingerprint('abc')).toBeUndefined();
  });
  it('remembers recognised hosts', async () => {
    await addRecognisedHost('mail.example.org', 'roundcube');
    expect(await loadRecognisedHosts()).toEqual({ 'mail.example.org': 'roundcube' });
  });
});

describe('site lists published for content scripts', () => {
  const lists = { userSites: ['chat.example.org', '*.example.net'], recognisedHosts: { 'mail.example.org': 'roundcube' } };

  it('reads nothing stored, or garbage, as empty lists', () => {
    expect(readPublishedSiteLists({})).toEqual({ userSites: [], recognisedHosts: {} });
    expect(readPublishedSiteLists({ [PUBLISHED_SITE_LISTS_KEY]: 'x' })).toEqual({ userSites: [], recognisedHosts: {} });
    expect(readPublishedSiteLists({ [PUBLISHED_SITE_LISTS_KEY]: { userSites: ['a.example', 3], recognisedHosts: { 'b.example': 1, 'c.example': 'sogo' } } })).toEqual({
      userSites: ['a.example'],
      recognisedHosts: { 'c.example': 'sogo' },
    });
  });

  it('writes the lists the background worked out, merged with policy, and only when they changed', async () => {
    await saveSettings({ ...DEFAULT_SETTINGS, userSites: lists.userSites });
    await addRecognisedHost('mail.example.org', 'roundcube');
    await publishSiteLists(await loadSiteLists());
    const stored = await fakeBrowser.storage.local.get(PUBLISHED_SITE_LISTS_KEY);
    expect(readPublishedSiteLists(stored)).toEqual(lists);
    const set = vi.spyOn(fakeBrowser.storage.local, 'set');
    await publishSiteLists({ userSites: [...lists.userSites], recognisedHosts: { ...lists.recognisedHosts } });
    expect(set).not.toHaveBeenCalled();
    await publishSiteLists({ ...lists, userSites: ['chat.example.org'] });
    expect(set).toHaveBeenCalledTimes(1);
  });

  it('does not count its own publishing as a settings change', async () => {
    const listener = vi.fn();
    onStorageChanged(listener);
    await fakeBrowser.storage.local.set({ [PUBLISHED_SITE_LISTS_KEY]: lists });
    expect(listener).not.toHaveBeenCalled();
    await saveSettings({ ...DEFAULT_SETTINGS, userSites: ['chat.example.org'] });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('compares recognised hosts whatever their order', () => {
    expect(sameSiteLists({ userSites: [], recognisedHosts: { a: 'x', b: 'y' } }, { userSites: [], recognisedHosts: { b: 'y', a: 'x' } })).toBe(true);
    expect(sameSiteLists({ userSites: ['a'], recognisedHosts: {} }, { userSites: [], recognisedHosts: {} })).toBe(false);
  });
});
