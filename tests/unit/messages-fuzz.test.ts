/**
 * Fuzzing of the background's only door to content scripts, `validateContentMessage`. Inputs are
 * what a hostile page's content context could get through `runtime.sendMessage`: any
 * structured-clonable (Firefox) or JSON (Chrome) value. Two generators, seeded so a failure can
 * be replayed: values built at random, and valid messages with a few fields broken or stretched
 * to their bounds. The validator must never throw, and whatever it accepts must satisfy the
 * bounds documented in lib/messages.ts, checked here by an independent oracle.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS, validateContentMessage } from '@/lib/messages';
import { RECOGNISERS } from '@/lib/core/sites/recognise';

const CASES = 20_000;

/** mulberry32: small, fast, seedable. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

const EDGE_LENGTHS = [0, 1, 63, 64, 65, LIMITS.preview - 1, LIMITS.preview, LIMITS.preview + 1, LIMITS.url - 1, LIMITS.url, LIMITS.url + 1, 5000];
const EDGE_COUNTS = [0, 1, 19, 20, 21, LIMITS.formsPerMessage - 1, LIMITS.formsPerMessage, LIMITS.formsPerMessage + 1, LIMITS.scriptsPerMessage, LIMITS.scriptsPerMessage + 1];
const KEYS = ['type', 'url', 'scripts', 'forms', 'frames', 'violations', 'recognisedAs', 'src', 'inlineSha256', 'preview', 'integrity', 'dynamic',
  'action', 'hasPassword', 'hidden', 'width', 'height', 'blockedUrl', 'directive', 'sample', '__proto__', 'constructor', 'toString', 'length', '0'];
const SCHEMES = ['https://', 'http://', 'wss://', 'ws://', 'javascript:', 'data:', 'chrome-extension://', 'HTTPS://', ' https://', 'file:///', ''];
const TYPES = ['page-observed', 'elements-added', 'record', 'clear-log', '', 'PAGE-OBSERVED'];
const IDS = RECOGNISERS.map((r) => r.id);

function randomString(r: Rng, length = r.chance(0.5) ? r.pick(EDGE_LENGTHS) : r.int(40)): string {
  const alphabet = r.pick(['0123456789abcdef', 'abcdefghijklmnopqrstuvwxyz/.:-_?#=&%', '\u0000\u2028\ud800é✓"\\<>\'`', 'A']);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[r.int(alphabet.length)];
  return s;
}

function randomUrl(r: Rng): string {
  const base = `${r.pick(SCHEMES)}${r.pick(['mail.example.org', 'a.test', '', 'x'])}/`;
  const length = r.chance(0.6) ? r.pick(EDGE_LENGTHS) : r.int(60);
  return base + 'p'.repeat(Math.max(0, length - base.length));
}

function randomNumber(r: Rng): number {
  return r.pick([0, -0, 1, -1, 0.5, 1e6 - 1, 1e6, 1e6 + 1, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, r.next() * 1e7 - 5e6]);
}

function randomValue(r: Rng, depth = 0): unknown {
  const leaf = depth > 3 || r.chance(0.4);
  if (leaf) {
    switch (r.int(7)) {
      case 0: return null;
      case 1: return undefined;
      case 2: return r.chance(0.5);
      case 3: return randomNumber(r);
      case 4: return randomUrl(r);
      case 5: return r.pick([...TYPES, ...IDS, 'a'.repeat(64), 'A'.repeat(64)]);
      default: return randomString(r);
    }
  }
  switch (r.int(4)) {
    case 0: {
      // Long lists (to the message bounds) only near the top, or the values grow exponentially.
      const long = depth <= 1 && r.chance(0.3);
      const items = Array.from({ length: long ? r.pick(EDGE_COUNTS) : r.int(4) }, () => randomValue(r, long ? 4 : depth + 1));
      if (r.chance(0.1)) delete items[0]; // sparse
      return items;
    }
    case 1: {
      const object: Record<string, unknown> = r.chance(0.1) ? Object.create(null) : {};
      // Own data properties, '__proto__' included, as JSON.parse and structured clone make them.
      for (let i = r.int(6); i > 0; i--)
        Object.defineProperty(object, r.pick(KEYS), { value: randomValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
      return object;
    }
    case 2:
      return r.pick([new Date(0), new Uint8Array(3), new Map([['type', 'page-observed']]), new Set([1]), /x/]);
    default:
      return { type: r.pick(TYPES), url: randomUrl(r), scripts: randomValue(r, depth + 1), forms: randomValue(r, depth + 1) };
  }
}

// ---- near-valid messages ------------------------------------------------------------------------

/** How inline code can have hidden from the DOM walk (ScriptRef['hidden']). */
const HIDDEN_KINDS = ['srcdoc', 'synthetic-load', 'self-removed', 'rewritten', 'svg'] as const;

function validScript(r: Rng): Record<string, unknown> {
  const base: Record<string, unknown> = r.chance(0.5) ? { src: randomUrl(r).slice(0, LIMITS.url) } : { inlineSha256: 'ab'.repeat(32) };
  if (r.chance(0.5)) base.preview = 'x'.repeat(r.int(LIMITS.preview + 1));
  if (r.chance(0.3)) base.integrity = r.chance(0.5);
  if (r.chance(0.3)) base.dynamic = r.chance(0.5);
  if (r.chance(0.2)) base.hidden = r.pick([...HIDDEN_KINDS]);
  return base;
}

function validMessage(r: Rng): Record<string, unknown> {
  const n = (limit: number) => r.int(Math.min(limit, 6) + 1);
  const message: Record<string, unknown> = {
    type: r.pick(['page-observed', 'elements-added']),
    url: 'https://mail.example.org/inbox',
    scripts: Array.from({ length: n(LIMITS.scriptsPerMessage) }, () => validScript(r)),
    forms: Array.from({ length: n(LIMITS.formsPerMessage) }, () => ({ action: 'https://mail.example.org/?_task=login', hasPassword: r.chance(0.5) })),
    frames: Array.from({ length: n(LIMITS.framesPerMessage) }, () => ({ src: 'https://cdn.example/f', hidden: r.chance(0.5), width: r.int(1000), height: r.int(1000) })),
    violations: Array.from({ length: n(LIMITS.violationsPerMessage) }, () => ({ blockedUrl: 'inline', directive: 'script-src-elem', ...(r.chance(0.5) ? { sample: 'x' } : {}) })),
  };
  if (message.type === 'page-observed' && r.chance(0.5)) message.recognisedAs = r.pick(IDS);
  return message;
}

/** Breaks or stretches one to three things somewhere in a valid message. */
function mutate(r: Rng, message: Record<string, unknown>): Record<string, unknown> {
  for (let k = 1 + r.int(3); k > 0; k--) {
    const field = r.pick(['type', 'url', 'scripts', 'forms', 'frames', 'violations', 'recognisedAs', 'extra']);
    const current = message[field];
    const index = Array.isArray(current) && current.length > 0 ? r.int(current.length) : -1;
    const item = index >= 0 ? (current as unknown[])[index] : undefined;
    if (item && typeof item === 'object' && !Array.isArray(item) && r.chance(0.7)) {
      const fields = item as Record<string, unknown>;
      const key = r.pick([...Object.keys(fields), r.pick(KEYS)]);
      const value = r.chance(0.5) ? randomValue(r, 2) : typeof fields[key] === 'string' ? (fields[key] as string) + randomString(r) : randomValue(r, 3);
      Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
    } else if (Array.isArray(current) && r.chance(0.5)) {
      const length = r.pick(EDGE_COUNTS);
      const template = current[0] ?? validScript(r);
      message[field] = Array.from({ length }, () => structuredClone(template));
    } else {
      message[field] = r.chance(0.3) ? undefined : randomValue(r, 1);
    }
  }
  return message;
}

// ---- the oracle: the documented bounds, written independently of the validator ------------------

const SHA = /^[0-9a-f]{64}$/;
const NET_URL = /^(https?|wss?):\/\//;

function plain(value: unknown, proto: object): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === proto;
}

function onlyKeys(object: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(object).every((k) => allowed.includes(k));
}

function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

/** Returns what is wrong with an accepted message, or undefined. */
function violatesBounds(message: unknown): string | undefined {
  if (!plain(message, Object.prototype)) return 'not a plain object';
  if (!onlyKeys(message, ['type', 'url', 'scripts', 'forms', 'frames', 'violations', 'recognisedAs'])) return 'unknown field';
  if (message.type !== 'page-observed' && message.type !== 'elements-added') return 'type';
  if (!boundedString(message.url, LIMITS.url) || !NET_URL.test(message.url)) return 'url';
  if (message.recognisedAs !== undefined && (message.type !== 'page-observed' || !IDS.includes(message.recognisedAs as string))) return 'recognisedAs';
  const list = (key: string, max: number) => {
    const value = message[key];
    return plain(value, Array.prototype) && Array.isArray(value) && value.length <= max && value.every((item) => plain(item, Object.prototype)) ? (value as Record<string, unknown>[]) : undefined;
  };
  const scripts = list('scripts', LIMITS.scriptsPerMessage);
  if (!scripts) return 'scripts list';
  for (const s of scripts) {
    if (!onlyKeys(s, ['src', 'inlineSha256', 'preview', 'integrity', 'dynamic', 'hidden'])) return 'script field';
    if (s.hidden !== undefined && !(HIDDEN_KINDS as readonly unknown[]).includes(s.hidden)) return 'script hidden';
    if ((s.src === undefined) === (s.inlineSha256 === undefined)) return 'script src xor hash';
    if (s.src !== undefined && !boundedString(s.src, LIMITS.url)) return 'script src';
    if (s.inlineSha256 !== undefined && !(typeof s.inlineSha256 === 'string' && SHA.test(s.inlineSha256))) return 'script hash';
    if (s.preview !== undefined && !boundedString(s.preview, LIMITS.preview)) return 'script preview';
    if (s.integrity !== undefined && typeof s.integrity !== 'boolean') return 'script integrity';
    if (s.dynamic !== undefined && typeof s.dynamic !== 'boolean') return 'script dynamic';
  }
  const forms = list('forms', LIMITS.formsPerMessage);
  if (!forms) return 'forms list';
  for (const f of forms) {
    if (!onlyKeys(f, ['action', 'hasPassword']) || !boundedString(f.action, LIMITS.url) || !NET_URL.test(f.action) || typeof f.hasPassword !== 'boolean') return 'form';
  }
  const frames = list('frames', LIMITS.framesPerMessage);
  if (!frames) return 'frames list';
  const size = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e6;
  for (const f of frames) {
    if (!onlyKeys(f, ['src', 'hidden', 'width', 'height']) || !boundedString(f.src, LIMITS.url) || !NET_URL.test(f.src)) return 'frame src';
    if (typeof f.hidden !== 'boolean' || !size(f.width) || !size(f.height)) return 'frame box';
  }
  const violations = list('violations', LIMITS.violationsPerMessage);
  if (!violations) return 'violations list';
  for (const v of violations) {
    if (!onlyKeys(v, ['blockedUrl', 'directive', 'sample']) || !boundedString(v.blockedUrl, LIMITS.url) || !boundedString(v.directive, LIMITS.directive)) return 'violation';
    if (v.sample !== undefined && !boundedString(v.sample, LIMITS.preview)) return 'violation sample';
  }
  return undefined;
}

/** Runs one input through the validator as both browsers would deliver it. */
function check(input: unknown, accepted: { count: number }) {
  const deliveries: unknown[] = [input];
  try {
    deliveries.push(structuredClone(input)); // Firefox
  } catch {
    // not clonable: a page could not send it either
  }
  try {
    const json = JSON.stringify(input);
    if (json !== undefined) deliveries.push(JSON.parse(json)); // Chrome
  } catch {
    // not serialisable
  }
  for (const delivered of deliveries) {
    let result: ReturnType<typeof validateContentMessage>;
    try {
      result = validateContentMessage(delivered);
    } catch (error) {
      throw new Error(`validator threw ${String(error)} on ${JSON.stringify(delivered)?.slice(0, 500)}`);
    }
    if (!result.ok) {
      expect(typeof result.reason).toBe('string');
      continue;
    }
    accepted.count++;
    const problem = violatesBounds(result.message);
    if (problem) throw new Error(`accepted a message that breaks the bounds (${problem}): ${JSON.stringify(delivered).slice(0, 500)}`);
    expect(result.message).not.toBe(delivered);
    // Accepting is stable: what came out goes through again unchanged.
    // (Compared as JSON: a round trip turns -0 into 0, which is the same size.)
    const again = validateContentMessage(JSON.parse(JSON.stringify(result.message)));
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
  }
}

describe('validateContentMessage under fuzzing', () => {
  it(`never throws on ${CASES} random structured values, and accepts only messages within the bounds`, () => {
    const r = rng(0x7a9);
    const accepted = { count: 0 };
    // Each check throws on a validator exception or an accepted message out of bounds.
    for (let i = 0; i < CASES; i++) check(randomValue(r), accepted);
  }, 60_000);

  it(`never accepts a message broken out of its bounds, over ${CASES} mutated valid messages`, () => {
    const r = rng(0x5eed);
    const accepted = { count: 0 };
    let unmutated = 0;
    for (let i = 0; i < CASES; i++) {
      const message = validMessage(r);
      if (i % 10 === 0) {
        // Every tenth stays valid: the accepting path is exercised too.
        unmutated++;
        const before = accepted.count;
        check(message, accepted);
        expect(accepted.count - before, JSON.stringify(message).slice(0, 300)).toBeGreaterThan(0);
      } else {
        check(mutate(r, message), accepted);
      }
    }
    // Both paths ran: many accepted, many rejected.
    expect(accepted.count).toBeGreaterThan(unmutated);
    expect(accepted.count).toBeLessThan(CASES * 3);
  }, 60_000);
});
