import { vi } from 'vitest';

/**
 * Waits until a rendered page satisfies `check`; on timeout the error shows what the page says,
 * which is what a failing page test needs. The container is asked for at each try because the
 * tests make a new one for every test.
 */
export function waiterFor(container: () => HTMLElement) {
  return (check: () => unknown, what = 'condition') =>
    vi.waitFor(
      () => {
        if (!check()) throw new Error(`still waiting for ${what}: ${container().textContent?.slice(0, 2000)}`);
      },
      { timeout: 4000, interval: 20 },
    );
}
