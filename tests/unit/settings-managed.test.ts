import { fakeBrowser } from 'wxt/testing/fake-browser';
import { describe, expect, it, vi } from 'vitest';
import {
  addRecognisedHost,
  DEFAULT_SETTINGS,
  loadLocalSettings,
  loadManagedSettings,
  loadRecognisedHosts,
  loadSettings,
  normaliseManagedSettings,
  normaliseSettings,
  removeRecognisedHost,
  saveSettings,
} from '@/lib/store/settings';

const fp = 'ab'.repeat(32);

describe('managed settings', () => {
  it('are empty when there is no policy', async () => {
    expect(await loadManagedSettings()).toEqual({});
  });

  it('tolerate the API rejecting (Firefox without a managed manifest) or being absent', async () => {
    vi.spyOn(fakeBrowser.storage.managed, 'get').mockRejectedValueOnce(new Error('Managed storage manifest not found'));
    expect(await loadManagedSettings()).toEqual({});
    vi.spyOn(fakeBrowser.storage.managed, 'get').mockImplementationOnce(() => {
      throw new Error('sync throw');
    });
    expect(await loadManagedSettings()).toEqual({});
    const area = fakeBrowser.storage.managed;
    Object.defineProperty(fakeBrowser.storage, 'managed', { value: undefined, configurable: true });
    try {
      expect(await loadManagedSettings()).toEqual({});
      expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
    } finally {
      Object.defineProperty(fakeBrowser.storage, 'managed', { value: area, configurable: true });
    }
  });

  it('win over the user’s values, which stay stored underneath', async () => {
    await saveSettings({ ...DEFAULT_SETTINGS, userSites: ['mine.example.org'], retentionDays: 30, notifications: true });
    await fakeBrowser.storage.managed.set({ userSites: ['corp.example.com'], notifications: false, trustedRoots: { 'mail.corp.example.com': [fp] } });
    expect(await loadSettings()).toEqual({
      ...DEFAULT_SETTINGS,
      userSites: ['corp.example.com'],
      retentionDays: 30,
      notifications: false,
      trustedRoots: { 'mail.corp.example.com': [fp] },
    });
    expect((await loadLocalSettings()).userSites).toEqual(['mine.example.org']);
  });

  it('keep only keys that were set, and set validly', () => {
    expect(normaliseManagedSettings({ retentionDays: 0, maxIncidents: 5000, notifications: 'yes', unknown: 1 })).toEqual({ maxIncidents: 5000 });
    expect(normaliseManagedSettings({ userSites: ['bad host', 'ok.example.org'] })).toEqual({ userSites: ['ok.example.org'] });
    expect(normaliseManagedSettings(null)).toEqual({});
    expect(normaliseManagedSettings('x')).toEqual({});
  });
});

describe('settings additions', () => {
  it('store the notification switch', async () => {
    expect(DEFAULT_SETTINGS.notifications).toBe(false);
    expect(normaliseSettings({ notifications: true }).notifications).toBe(true);
    expect(normaliseSettings({ notifications: 'on' }).notifications).toBe(false);
  });

  it('forget a recognised host', async () => {
    await addRecognisedHost('a.example.org', 'roundcube');
    await addRecognisedHost('b.example.org', 'sogo');
    await removeRecognisedHost('a.example.org');
    await removeRecognisedHost('missing.example.org');
    expect(await loadRecognisedHosts()).toEqual({ 'b.example.org': 'sogo' });
  });
});
