/**
 * Sends a message to the background and tries again if it was lost. The background answers once
 * it has recorded what the message carried; an MV3 worker stopped in between (a crash, an update)
 * closes the channel, and the sender sees the send fail. Then the message goes again, to the
 * restarted worker. A retry after a worker that did record but died before answering counts one
 * repeat too many, which is better than evidence lost.
 */
export function createDelivery(
  sendMessage: (message: unknown) => Promise<unknown>,
  options: { retryDelaysMs?: readonly number[]; setTimeout?: (run: () => void, ms: number) => unknown } = {},
): (message: unknown) => void {
  const delays = options.retryDelaysMs ?? [300, 1500];
  const later = options.setTimeout ?? ((run: () => void, ms: number) => setTimeout(run, ms));
  const attempt = (message: unknown, failures: number): void => {
    sendMessage(message).catch(() => {
      const delay = delays[failures];
      if (delay !== undefined) later(() => attempt(message, failures + 1), delay);
    });
  };
  return (message) => attempt(message, 0);
}
