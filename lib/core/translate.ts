/**
 * A lookup of messages in the browser's preferred language, English where a dictionary lacks a
 * key, with `{name}` placeholders filled in. i18n.ts (tapguard's pages) and event-words.ts (what
 * the background stores with each event) each build one.
 */
export function translator<Key extends string>(dictionaries: Record<string, Partial<Record<Key, string>>>, english: Record<Key, string>) {
  const active = pickDictionary(dictionaries) ?? english;
  return (key: Key, params: Record<string, string | number> = {}): string => {
    const template = active[key] ?? english[key];
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

function pickDictionary<T>(dictionaries: Record<string, T>): T | undefined {
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const tag of languages) {
    const found = dictionaries[tag] ?? dictionaries[tag.split('-')[0] ?? ''];
    if (found) return found;
  }
  return undefined;
}
