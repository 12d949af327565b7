/**
 * How the background reports its own failures. One kind is not a fault of tapguard's: Chrome
 * rejects every extension API call with "No SW" once it has stopped the worker's process (an idle
 * stop, an update, DevTools), and work in flight at that moment fails with it. A message whose
 * handling failed that way is re-sent by its content script (lib/content/deliver.ts), so it is a
 * warning, not an error a user or a test should chase.
 */
export function isWorkerStopped(error: unknown): boolean {
  return error instanceof Error && error.message === 'No SW';
}

export function reportFailure(what: string, error: unknown, log: Pick<Console, 'error' | 'warn'> = console): void {
  if (isWorkerStopped(error)) log.warn(`tapguard: ${what} cut short: the browser stopped the worker`);
  else log.error(`tapguard: ${what} failed`, error);
}
