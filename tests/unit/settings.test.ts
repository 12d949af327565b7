import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  addRecognisedHost,
  DEFAULT_SETTINGS,
  loadRecognisedHosts,
  loadSettings,
  normaliseFingerprint,
  normaliseSettings,
  onStorageChanged,
  saveSettings,
} from '@/lib/store/settings';

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
  it('never lets look-alike pages evict a recognised host with a learned baseline', async () => {
    await addRecognisedHost('mail.example.org', 'roundcube');
    const established = async (host: string) => host === 'mail.example.org';
    for (let i = 0; i < 600; i++) await addRecognisedHost(`fake${i}.example.net`, 'roundcube', established);
    const hosts = await loadRecognisedHosts();
    expect(hosts['mail.example.org']).toBe('roundcube');
    expect(Object.keys(hosts)).toHaveLength(500);
    expect(hosts['fake599.example.net']).toBe('roundcube');
    expect(hosts['fake0.example.net']).toBeUndefined();
  });
});

describe('onStorageChanged', () => {
  it('tells of settings and recognised hosts changing, not of per-tab session state', async () => {
    const listener = vi.fn();
    onStorageChanged(listener);
    await fakeBrowser.storage.session.set({ 'tab:1': { verdict: 'clear' } });
    expect(listener).not.toHaveBeenCalled();
    await saveSettings({ ...DEFAULT_SETTINGS, userSites: ['chat.example.org'] });
    expect(listener).toHaveBeenCalledTimes(1);
    await addRecognisedHost('mail.example.org', 'roundcube');
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
