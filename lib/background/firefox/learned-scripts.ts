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
 * the latest, at its first script; only that first script waits for the read. After each
 * script-bytes judgement the host is read again in the background (`refresh`), keeping the old
 * answer meanwhile: a judgement is the only thing that learns a script, and the baseline keeps
 * only its latest keys.
 *
 * In memory only, and only a copy of what IndexedDB holds: nothing is lost when the background
 * stops. A stale "learned" costs one unneeded hash; a stale "not learned" lasts until the
 * judgement that learned the script has been read back.
 */
export function createLearnedScripts(deps: LearnedScriptsDeps, capacity = REMEMBERED_HOSTS) {
  const known = new Map<string, Set<string>>();
  const loading = new Map<string, Promise<Set<string>>>();

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
      .finally(() => loading.delete(host));
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
    /** A judgement may have learned a script of the host: read it again, answering from the old copy meanwhile. */
    refresh(host: string): void {
      // A read already under way may have started before the judgement wrote: read after it.
      const pending = loading.get(host);
      if (pending) void pending.then(() => read(host));
      else void read(host);
    },
  };
}

export type LearnedScripts = ReturnType<typeof createLearnedScripts>;
