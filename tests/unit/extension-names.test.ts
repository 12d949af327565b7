import { describe, expect, it } from 'vitest';
import { extensionNameFor, type InstalledExtension } from '@/lib/background/extension-names';

const installed: InstalledExtension[] = [
  { id: 'abcdefghijklmnopabcdefghijklmnop', name: 'Dark Reader', icons: [] },
  { id: 'helper@example.org', name: 'Mail Helper', optionsUrl: 'moz-extension://0f1e2d3c-aaaa-bbbb-cccc-111122223333/options.html' },
  { id: 'icons@example.org', name: 'Icon Only', icons: [{ url: 'moz-extension://99999999-aaaa-bbbb-cccc-111122223333/icon.png' }] },
];

describe('extensionNameFor', () => {
  it('names a Chrome extension by the id in its address', () => {
    expect(extensionNameFor('chrome-extension://abcdefghijklmnopabcdefghijklmnop', installed)).toBe('Dark Reader');
  });
  it("names a Firefox extension by the UUID in its own pages' or icons' addresses", () => {
    expect(extensionNameFor('moz-extension://0f1e2d3c-aaaa-bbbb-cccc-111122223333', installed)).toBe('Mail Helper');
    expect(extensionNameFor('moz-extension://99999999-aaaa-bbbb-cccc-111122223333', installed)).toBe('Icon Only');
  });
  it('names nothing it cannot tie to an installed extension', () => {
    expect(extensionNameFor('chrome-extension://zzzz', installed)).toBeUndefined();
    expect(extensionNameFor('moz-extension://0f1e2d3c', installed)).toBeUndefined();
    expect(extensionNameFor('https://example.org', installed)).toBeUndefined();
  });
});
