/**
 * Read the extension's IndexedDB and storage.local from a puppeteer Page that is on the extension's
 * origin (see Session.openExtensionPage). Only plain web/extension APIs are used inside the page.
 *
 * The in-page code is passed as source text, not as a function: tsx/esbuild's keepNames would
 * otherwise inject `__name(...)` calls into nested functions, which do not exist in the page.
 *
 * IndexedDB values are structured clones (Dates, typed arrays, Maps...), which neither CDP nor
 * BiDi return faithfully, so rows are tagged in the page and rebuilt here.
 */
import type { Page } from 'puppeteer-core';

const TAG = '\u0000tg';

/** In-page encoder: turns a structured-clone value into JSON-safe data with tagged specials. */
const ENCODE_SRC = `function encode(v) {
  const T = ${JSON.stringify(TAG)};
  if (v === undefined) return { [T]: 'undefined' };
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { [T]: 'number', v: String(v) };
  if (typeof v === 'bigint') return { [T]: 'bigint', v: v.toString() };
  if (v instanceof Date) return { [T]: 'Date', v: v.getTime() };
  if (v instanceof RegExp) return { [T]: 'RegExp', v: v.source, f: v.flags };
  if (v instanceof ArrayBuffer) return { [T]: 'ArrayBuffer', v: Array.from(new Uint8Array(v)) };
  if (ArrayBuffer.isView(v)) {
    const bytes = Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return { [T]: 'view', c: v.constructor.name, v: bytes };
  }
  if (v instanceof Map) return { [T]: 'Map', v: Array.from(v, ([k, x]) => [encode(k), encode(x)]) };
  if (v instanceof Set) return { [T]: 'Set', v: Array.from(v, (x) => encode(x)) };
  if (typeof Blob !== 'undefined' && v instanceof Blob) return { [T]: 'Blob', type: v.type, size: v.size };
  if (Array.isArray(v)) return v.map((x) => encode(x));
  if (typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = encode(v[k]);
    return out;
  }
  return { [T]: 'unsupported', v: String(v) };
}`;

/** In-page: open an existing database without creating it (aborts the upgrade if it is new). */
const OPEN_SRC = `function openExisting(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    let created = false;
    req.onupgradeneeded = () => { created = true; req.transaction.abort(); };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(created
      ? 'IndexedDB database "' + name + '" does not exist'
      : 'indexedDB.open("' + name + '") failed: ' + req.error));
    req.onblocked = () => reject(new Error('indexedDB.open("' + name + '") blocked'));
  });
}`;

const TYPED_ARRAYS: Record<string, new (buf: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
};

/** Rebuilds what ENCODE_SRC tagged. Blobs come back as `{ blob: { type, size } }` placeholders. */
export function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const tag = o[TAG];
  if (typeof tag === 'string') {
    switch (tag) {
      case 'undefined':
        return undefined;
      case 'number':
        return Number(o.v);
      case 'bigint':
        return BigInt(o.v as string);
      case 'Date':
        return new Date(o.v as number);
      case 'RegExp':
        return new RegExp(o.v as string, o.f as string);
      case 'ArrayBuffer':
        return new Uint8Array(o.v as number[]).buffer;
      case 'view': {
        const buf = new Uint8Array(o.v as number[]).buffer;
        const Ctor = TYPED_ARRAYS[o.c as string] ?? Uint8Array;
        return new Ctor(buf);
      }
      case 'Map':
        return new Map((o.v as [unknown, unknown][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]));
      case 'Set':
        return new Set((o.v as unknown[]).map(decodeValue));
      case 'Blob':
        return { blob: { type: o.type, size: o.size } };
      default:
        return o.v;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x);
  return out;
}

/** All rows (values, in key order) of `storeName` in IndexedDB database `dbName`. */
export async function readStore<T = unknown>(page: Page, dbName: string, storeName: string): Promise<T[]> {
  const rows = await readStoreEntries<T>(page, dbName, storeName);
  return rows.map((r) => r.value);
}

/** All rows of a store as { key, value }, in key order (keys are needed for out-of-line-key stores). */
export async function readStoreEntries<T = unknown>(
  page: Page,
  dbName: string,
  storeName: string,
): Promise<{ key: unknown; value: T }[]> {
  const src = `(async () => {
    ${ENCODE_SRC}
    ${OPEN_SRC}
    const db = await openExisting(${JSON.stringify(dbName)});
    try {
      const storeName = ${JSON.stringify(storeName)};
      if (!db.objectStoreNames.contains(storeName)) {
        throw new Error('IndexedDB database "' + db.name + '" (version ' + db.version + ') has no object store "' +
          storeName + '"; stores: ' + JSON.stringify(Array.from(db.objectStoreNames)));
      }
      const store = db.transaction(storeName, 'readonly').objectStore(storeName);
      const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      const [keys, values] = await Promise.all([req(store.getAllKeys()), req(store.getAll())]);
      return JSON.stringify(keys.map((k, i) => ({ key: encode(k), value: encode(values[i]) })));
    } finally {
      db.close();
    }
  })()`;
  const json = (await page.evaluate(src)) as string;
  return decodeValue(JSON.parse(json)) as { key: unknown; value: T }[];
}

/** Names and versions of the IndexedDB databases on the page's origin. */
export async function listDatabases(page: Page): Promise<{ name: string; version: number }[]> {
  const json = (await page.evaluate(
    `indexedDB.databases().then((dbs) => JSON.stringify(dbs.map((d) => ({ name: d.name, version: d.version }))))`,
  )) as string;
  return JSON.parse(json) as { name: string; version: number }[];
}

/** Object store names of an existing IndexedDB database. */
export async function listStores(page: Page, dbName: string): Promise<string[]> {
  const src = `(async () => {
    ${OPEN_SRC}
    const db = await openExisting(${JSON.stringify(dbName)});
    try { return JSON.stringify(Array.from(db.objectStoreNames)); } finally { db.close(); }
  })()`;
  return JSON.parse((await page.evaluate(src)) as string) as string[];
}

const STORAGE_API = `(globalThis.browser ?? globalThis.chrome).storage.local`;

/** storage.local.set(obj) in the extension (values must be JSON-serialisable). */
export async function setStorageLocal(page: Page, obj: Record<string, unknown>): Promise<void> {
  await page.evaluate(`${STORAGE_API}.set(${JSON.stringify(obj)}).then(() => true)`);
}

/** Everything in the extension's storage.local. */
export async function getStorageLocal<T extends Record<string, unknown> = Record<string, unknown>>(
  page: Page,
): Promise<T> {
  const json = (await page.evaluate(`${STORAGE_API}.get(null).then((all) => JSON.stringify(all))`)) as string;
  return JSON.parse(json) as T;
}

/** storage.local.clear() in the extension. */
export async function clearStorageLocal(page: Page): Promise<void> {
  await page.evaluate(`${STORAGE_API}.clear().then(() => true)`);
}

/** The hosts tapguard's `watch` content script is registered for (lib/background/content-scripts.ts), as match patterns. */
export async function watchedPatterns(page: Page): Promise<string[]> {
  const json = (await page.evaluate(
    `(globalThis.browser ?? globalThis.chrome).scripting.getRegisteredContentScripts({ ids: ['watch', 'watch-paths'] }).then((s) => JSON.stringify(s.flatMap((r) => r.matches ?? [])))`,
  )) as string;
  return JSON.parse(json) as string[];
}
