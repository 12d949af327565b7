import type { FormRef, ScriptRef } from './observations';
import { RECOGNISERS } from './sites/recognise';

/**
 * Messages from content scripts. A content script lives in a hostile page, so the background
 * treats every message as untrusted input: exact shapes, bounded sizes, unknown types dropped.
 */
export type ContentMessage =
  | { type: 'page-observed'; url: string; recognisedAs?: string; scripts: ScriptRef[]; forms: FormRef[] }
  | { type: 'elements-added'; url: string; scripts: ScriptRef[]; forms: FormRef[] };

export const LIMITS = {
  url: 2048,
  scriptsPerMessage: 200,
  formsPerMessage: 50,
} as const;

const RECOGNISER_IDS = new Set(RECOGNISERS.map((r) => r.id));
const SHA256 = /^[0-9a-f]{64}$/;

function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.url && /^(https?|wss?):\/\//.test(value);
}

function parseScripts(value: unknown): ScriptRef[] | undefined {
  if (!Array.isArray(value) || value.length > LIMITS.scriptsPerMessage) return undefined;
  const scripts: ScriptRef[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') return undefined;
    const { src, inlineSha256 } = item as Record<string, unknown>;
    if (src !== undefined && (typeof src !== 'string' || src.length > LIMITS.url)) return undefined;
    if (inlineSha256 !== undefined && (typeof inlineSha256 !== 'string' || !SHA256.test(inlineSha256))) return undefined;
    if (src === undefined && inlineSha256 === undefined) return undefined;
    scripts.push(src !== undefined ? { src } : { inlineSha256: inlineSha256 as string });
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

export type Validated<T> = { ok: true; message: T } | { ok: false; reason: string };

export function validateContentMessage(raw: unknown): Validated<ContentMessage> {
  if (!raw || typeof raw !== 'object') return { ok: false, reason: 'not an object' };
  const input = raw as Record<string, unknown>;
  if (!isHttpUrl(input.url)) return { ok: false, reason: 'bad url' };
  const scripts = parseScripts(input.scripts);
  if (!scripts) return { ok: false, reason: 'bad scripts' };
  const forms = parseForms(input.forms);
  if (!forms) return { ok: false, reason: 'bad forms' };
  switch (input.type) {
    case 'page-observed': {
      const { recognisedAs } = input;
      if (recognisedAs !== undefined && (typeof recognisedAs !== 'string' || !RECOGNISER_IDS.has(recognisedAs)))
        return { ok: false, reason: 'bad recognisedAs' };
      return { ok: true, message: { type: 'page-observed', url: input.url, scripts, forms, ...(recognisedAs ? { recognisedAs } : {}) } };
    }
    case 'elements-added':
      return { ok: true, message: { type: 'elements-added', url: input.url, scripts, forms } };
    default:
      return { ok: false, reason: 'unknown type' };
  }
}
