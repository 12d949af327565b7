export interface LearnedScriptsDeps {
  /** The script-bytes keys learned for a page host (its baseline's `scriptBytes`), read from IndexedDB. */
  load(host: string): Promise<Iterable<string>>;
  /** The key a script URL is learned under (lib/core/detect/scripts.ts `scriptBytesKey`). */
  keyOf(url: string): string;
  onError(error: unknown): void;
}

/** Hosts whose learned keys are kept: far more mail and chat hosts than a user has open. */
const REMEMBERED_HOSTS = 64;

/**
 * Which script URLs of a page host had their bytes learned, answered from memory so that a
 * script request of a mail page is not held for an IndexedDB read (issue 18: Firefox's
 * per-request cost). A host's keys are read once, when its page starts loading (`warm`) or, at
 * the latest, at its first script; only that first script waits for the read. Each script-bytes
 * judgement hands back the keys it stored (`learned`): a judgement is the only thing that learns
 * a script, and the baseline keeps only its latest keys, so the host is never read again.
 *
 * In memory only, and only a copy of what IndexedDB holds: nothing is lost when the background
 * stops. A stale "learned" costs one unneeded hash.
 */
export function createLearnedScripts(deps: LearnedScriptsDeps, capacity = REMEMBERED_HOSTS) {
  const known = new Map<string, Set<string>>();
  const loading = new Map<string, Promise<Set<string>>>();
  // Hosts whose keys a judgement handed back while a read was under way: that read is older.
  const handedBack = new Set<string>();

  const remember = (host: string, keys: Set<string>) => {
    known.delete(host);
    known.set(host, keys);
    // A Map iterates in insertion order: the first entry is the least recently read.
    if (known.size > capacity) known.delete(known.keys().next().value!);
  };
  const read = (host: string): Promise<Set<string>> => {
    const pending = loading.get(host);
    if (pending) return pending;
    const promise = deps
      .load(host)
      .then(
        (keys) => {
          const newer = handedBack.has(host) ? known.get(host) : undefined;
          if (newer) return newer;
          const set = new Set(keys);
          remember(host, set);
          return set;
        },
        (error: unknown) => {
          // Not remembered: the next script of the host tries the read again.
          deps.onError(error);
          return known.get(host) ?? new Set<string>();
        },
      )
      .finally(() => {
        loading.delete(host);
        handedBack.delete(host);
      });
    loading.set(host, promise);
    return promise;
  };

  return {
    /** Starts reading the host's keys, if not in memory yet (its page is loading). */
    warm(host: string): void {
      if (!known.has(host)) void read(host);
    },
    /** Whether the script's bytes were learned for the host: at once when the host is in memory. */
    isLearned(host: string, url: string): boolean | Promise<boolean> {
      const keys = known.get(host);
      if (keys) return keys.has(deps.keyOf(url));
      return read(host).then((set) => set.has(deps.keyOf(url)));
    },
    /** A judgement stored these keys for the host (the monitor hands them back): they replace what was read. */
    learned(host: string, keys: Iterable<string>): void {
      if (loading.has(host)) handedBack.add(host);
      remember(host, new Set(keys));
    },
  };
}

export type LearnedScripts = ReturnType<typeof createLearnedScripts>;
