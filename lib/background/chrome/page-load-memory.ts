/**
 * What deep inspection remembers for one tab's page load, kept across the navigation that
 * replaces it until that navigation commits.
 *
 * A navigation starts (webRequest) before its response and commits (webNavigation) after it, and
 * may never commit at all (a 204 answer). So nothing is forgotten when a navigation starts: from
 * then on lookups see only what was remembered since (the next page is judged afresh, as Firefox
 * judges every load), while everything stays listed; when a new top-level document commits, what
 * came before its navigation started is dropped, and what its own response brought in between
 * stays. A navigation that never commits leaves the old page's entries listed, and they are seen
 * again once remembered again. A commit without a navigation start (a page restored from the
 * back-forward cache) starts from nothing.
 */
export interface PageLoadMemory<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): void;
  delete(key: string): void;
  values(): V[];
}

const MAX_REMEMBERED = 200;

export function createPageLoads() {
  let generation = 0;
  /** The generation of the latest navigation start not yet followed by a commit. */
  let pending: number | undefined = 0;
  const memories: Array<Map<string, { value: unknown; generation: number }>> = [];

  /**
   * One memory of the page load. `acrossNavigation`: lookups also see the old page's entries while
   * a navigation is pending (for what must not happen twice, such as a probe request).
   */
  function memory<V>(options: { acrossNavigation?: boolean } = {}): PageLoadMemory<V> {
    const entries = new Map<string, { value: V; generation: number }>();
    memories.push(entries as Map<string, { value: unknown; generation: number }>);
    const seen = (key: string) => {
      const entry = entries.get(key);
      return entry && (options.acrossNavigation || pending === undefined || entry.generation >= pending) ? entry : undefined;
    };
    return {
      get: (key) => seen(key)?.value,
      has: (key) => seen(key) !== undefined,
      set(key, value) {
        // Bounded: a page that opens connections without end must not grow the worker's memory.
        if (!entries.has(key) && entries.size >= MAX_REMEMBERED) entries.delete(entries.keys().next().value as string);
        entries.delete(key);
        entries.set(key, { value, generation });
      },
      delete: (key) => void entries.delete(key),
      values: () => [...entries.values()].map((e) => e.value),
    };
  }

  return {
    memory,
    /** Whether a navigation started and has not committed yet (it may never: a 204 answer). */
    navigationPending: () => pending !== undefined,
    /** A top-level navigation starts: what follows may belong to its document, if it commits. */
    navigationStarted(): void {
      generation += 1;
      pending = generation;
    },
    /** A new top-level document committed: what came before its navigation started is forgotten. */
    committed(): void {
      const keepFrom = pending ?? generation + 1;
      for (const entries of memories) for (const [key, entry] of entries) if (entry.generation < keepFrom) entries.delete(key);
      generation += 1;
      pending = undefined;
    },
  };
}
