import { describe, expect, it, vi } from 'vitest';
import { createCachedLoader } from '@/lib/store/settings-cache';

describe('createCachedLoader', () => {
  it('reads once until the settings change, then reads again', async () => {
    let changed = () => {};
    let value = 1;
    const load = vi.fn(async () => value);
    const settings = createCachedLoader(load, (listener) => (changed = listener));
    expect(await settings()).toBe(1);
    expect(await settings()).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
    value = 2;
    changed();
    expect(await settings()).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed read', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('storage closed')).mockResolvedValueOnce('ok');
    const settings = createCachedLoader(load, () => undefined);
    await expect(settings()).rejects.toThrow('storage closed');
    expect(await settings()).toBe('ok');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
