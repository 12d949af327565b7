import type { CspViolation, FormRef, FrameRef, ScriptRef } from './core/observations';
import { LIMITS } from './core/limits';
import { RECOGNISERS } from './core/sites/recognise';

/**
 * Messages from content scripts. A content script lives in a hostile page, so the background
 * treats every message as untrusted input: exact shapes, bounded sizes, unknown types dropped.
 */
export type ContentMessage =
  | { type: 'page-observed'; url: string; recognisedAs?: string } & PageParts
  | { type: 'elements-added'; url: string } & PageParts;

export interface PageParts {
  scripts: ScriptRef[];
  forms: FormRef[];
  frames: FrameRef[];
  violations: CspViolation[];
  /** Set once, on the message after which scripts were no longer all inventoried. */
  scriptBudgetExceeded?: true;
}

export { LIMITS };

const RECOGNISER_IDS = new Set(RECOGNISERS.map((r) => r.id));
const SHA256 = /^[0-9a-f]{64}$/;
const HIDDEN = new Set<unknown>(['srcdoc', 'synthetic-load', 'self-removed', 'rewritten', 'svg']);

function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.url && /^(https?|wss?):\/\//.test(value);
}

function parseScripts(value: unknown): ScriptRef[] | undefined {
  if (!Array.isArray(value) || value.length > LIMITS.scriptsPerMessage) return undefined;
  const scripts: ScriptRef[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') return undefined;
    const { src, inlineSha256, preview, integrity, dynamic, hidden } = item as Record<string, unknown>;
    if (src !== undefined && (typeof src !== 'string' || src.length > LIMITS.url)) return undefined;
    if (inlineSha256 !== undefined && (typeof inlineSha256 !== 'string' || !SHA256.test(inlineSha256))) return undefined;
    if ((src === undefined) === (inlineSha256 === undefined)) return undefined;
    if (preview !== undefined && (typeof preview !== 'string' || preview.length > LIMITS.preview)) return undefined;
    if (integrity !== undefined && typeof integrity !== 'boolean') return undefined;
    if (dynamic !== undefined && typeof dynamic !== 'boolean') return undefined;
    if (hidden !== undefined && !HIDDEN.has(hidden)) return undefined;
    const ref: ScriptRef = src !== undefined ? { src: src as string } : { inlineSha256: inlineSha256 as string };
    if (preview !== undefined) ref.preview = preview as string;
    if (integrity !== undefined) ref.integrity = integrity as boolean;
    if (dynamic !== undefined) ref.dynamic = dynamic as boolean;
    if (hidden !== undefined) ref.hidden = hidden as ScriptRef['hidden'];
    scripts.push(ref);
  }
  return scripts;
}

function parseForms(value: unknown): FormRef[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > LIMITS.formsPerMessage) return undefined;
  const forms: FormRef[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') return undefined;
    const { action, hasPassword } = item as Record<string, unknown>;
    if (!isHttpUrl(action) || typeof hasPassword !== 'boolean') return undefined;
    forms.push({ action, hasPassword });
  }
  return forms;
}

function parseFrames(value: unknown): FrameRef[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > LIMITS.framesPerMessage) return undefined;
  const frames: FrameRef[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') return undefined;
    const { src, hidden, width, height } = item as Record<string, unknown>;
    if (!isHttpUrl(src) || typeof hidden !== 'boolean' || !isSize(width) || !isSize(height)) return undefined;
    frames.push({ src, hidden, width, height });
  }
  return frames;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e6;
}

function parseViolations(value: unknown): CspViolation[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > LIMITS.violationsPerMessage) return undefined;
  const violations: CspViolation[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') return undefined;
    const { blockedUrl, directive, sample } = item as Record<string, unknown>;
    if (typeof blockedUrl !== 'string' || blockedUrl.length > LIMITS.url) return undefined;
    if (typeof directive !== 'string' || directive.length > LIMITS.directive) return undefined;
    if (sample !== undefined && (typeof sample !== 'string' || sample.length > LIMITS.preview)) return undefined;
    violations.push({ blockedUrl, directive, ...(sample !== undefined ? { sample: sample as string } : {}) });
  }
  return violations;
}

export type Validated<T> = { ok: true; message: T } | { ok: false; reason: string };

export function validateContentMessage(raw: unknown): Validated<ContentMessage> {
  if (!raw || typeof raw !== 'object') return { ok: false, reason: 'not an object' };
  const input = raw as Record<string, unknown>;
  if (!isHttpUrl(input.url)) return { ok: false, reason: 'bad url' };
  const scripts = parseScripts(input.scripts);
  if (!scripts) return { ok: false, reason: 'bad scripts' };
  const forms = parseForms(input.forms);
  if (!forms) return { ok: false, reason: 'bad forms' };
  const frames = parseFrames(input.frames);
  if (!frames) return { ok: false, reason: 'bad frames' };
  const violations = parseViolations(input.violations);
  if (!violations) return { ok: false, reason: 'bad violations' };
  if (input.scriptBudgetExceeded !== undefined && input.scriptBudgetExceeded !== true) return { ok: false, reason: 'bad scriptBudgetExceeded' };
  const parts: PageParts = { scripts, forms, frames, violations, ...(input.scriptBudgetExceeded ? { scriptBudgetExceeded: true as const } : {}) };
  switch (input.type) {
    case 'page-observed': {
      const { recognisedAs } = input;
      if (recognisedAs !== undefined && (typeof recognisedAs !== 'string' || !RECOGNISER_IDS.has(recognisedAs)))
        return { ok: false, reason: 'bad recognisedAs' };
      return { ok: true, message: { type: 'page-observed', url: input.url, ...parts, ...(recognisedAs ? { recognisedAs } : {}) } };
    }
    case 'elements-added':
      return { ok: true, message: { type: 'elements-added', url: input.url, ...parts } };
    default:
      return { ok: false, reason: 'unknown type' };
  }
}
