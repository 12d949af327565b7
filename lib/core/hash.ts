import { sha256HexOfText } from './sha256';

/**
 * Synchronous on purpose: the chain is extended inside one IndexedDB transaction, and awaiting
 * WebCrypto there would let IndexedDB auto-commit the transaction half way.
 */
export function sha256Hex(text: string): string {
  return sha256HexOfText(text);
}

/** JSON with object keys sorted at every depth and `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const encoded = JSON.stringify(value);
    return encoded === undefined ? 'null' : encoded;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}
