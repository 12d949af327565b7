/**
 * The background's settings, read once and kept until they change (issue #17: the background owns
 * the settings and caches them). Every observation of a mail page asks for them; without the cache
 * each asked the browser's storage twice (local and managed). A change to either area drops the
 * cache, and a failed read is not kept, so the next call reads again.
 */
export function createCachedLoader<T>(load: () => Promise<T>, onChange: (listener: () => void) => void): () => Promise<T> {
  let cached: Promise<T> | undefined;
  onChange(() => {
    cached = undefined;
  });
  return () => {
    if (cached) return cached;
    const loading = load();
    cached = loading;
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
    return loading;
  };
}
