/**
 * Exports the log page pulls from the background chunk by chunk (lib/background/ui-requests.ts):
 * the page never opens the database, and no message carries the whole log. Each export is an
 * async generator kept here between requests; an export left unread for IDLE_MS is dropped, and
 * at most MAX_OPEN run at once. If the worker stops mid-export the page is told the export is
 * gone and can start again: nothing here is evidence, the log itself is in IndexedDB.
 */
export const EXPORT_LIMITS = { maxOpen: 3, idleMs: 120_000, chunkChars: 512 * 1024 } as const;

interface Session {
  chunks: AsyncGenerator<string>;
  touched: number;
}

export function createExportSessions(now: () => number = Date.now, newId: () => string = () => crypto.randomUUID()) {
  const sessions = new Map<string, Session>();
  const dropIdle = () => {
    for (const [id, session] of sessions) if (now() - session.touched > EXPORT_LIMITS.idleMs) close(id);
  };
  const close = (id: string) => {
    void sessions.get(id)?.chunks.return(undefined).catch(() => undefined);
    sessions.delete(id);
  };
  return {
    start(chunks: AsyncGenerator<string>): string {
      dropIdle();
      if (sessions.size >= EXPORT_LIMITS.maxOpen) {
        void chunks.return(undefined).catch(() => undefined);
        throw new Error('too many exports at once; wait for one to finish');
      }
      const id = newId();
      sessions.set(id, { chunks, touched: now() });
      return id;
    },
    /** The next chunk of text, up to about chunkChars (one generator chunk may exceed it). */
    async next(id: string): Promise<{ chunk: string; done: boolean }> {
      const session = sessions.get(id);
      if (!session) throw new Error('this export is no longer running; start it again');
      session.touched = now();
      let chunk = '';
      try {
        while (chunk.length < EXPORT_LIMITS.chunkChars) {
          const step = await session.chunks.next();
          if (step.done) {
            sessions.delete(id);
            return { chunk, done: true };
          }
          chunk += step.value;
        }
      } catch (error) {
        sessions.delete(id);
        throw error;
      }
      return { chunk, done: false };
    },
    get open(): number {
      return sessions.size;
    },
  };
}
