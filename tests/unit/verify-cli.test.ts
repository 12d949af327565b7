import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJsonl } from '@/lib/export';
import { collect, freshDb, seed } from './log-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
let dir: string;
let lines: string[];

function verify(...args: string[]) {
  const run = spawnSync(TSX, ['scripts/verify.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, out: run.stdout.trim(), err: run.stderr.trim() };
}

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tapguard-verify-'));
  const db = freshDb();
  await seed(db, 12);
  const meta = { tapguardVersion: '0.1.0', browser: 'Chrome/140.0', checks: [], exportedAt: '2026-05-01T00:00:00.000Z' };
  lines = (await collect(exportJsonl(db, meta))).trimEnd().split('\n');
  await db.delete();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run verify', () => {
  it('says OK for an intact export (exit 0)', () => {
    const run = verify('--', file('ok.jsonl', `${lines.join('\n')}\n`));
    expect(run.out.split('\n')[0]).toBe('OK: 12 incidents, chain intact');
    expect(run.out).toContain('Exported by tapguard 0.1.0 in Chrome/140.0');
    expect(run.code).toBe(0);
  });

  it('names the first broken line (exit 1)', () => {
    const tampered = [...lines];
    tampered[6] = tampered[6]!.replace('"severity":"high"', '"severity":"low"');
    expect(tampered[6]).not.toBe(lines[6]);
    const run = verify(file('tampered.jsonl', tampered.join('\r\n')));
    expect(run.out).toBe('BROKEN at line 7: the hash does not match the content of this record');
    expect(run.code).toBe(1);
    expect(verify(file('junk.jsonl', 'not json at all\n')).out).toBe('BROKEN at line 1: this line is not valid JSON');
  });

  it('is a usage error for no file, a missing file or a directory (exit 2)', () => {
    for (const args of [[], [path.join(dir, 'missing.jsonl')], [dir], ['a', 'b']]) {
      const run = verify(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.err).toContain('usage: npm run verify -- <export.jsonl>');
      expect(run.out).toBe('');
    }
  });
});
