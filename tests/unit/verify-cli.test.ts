import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJsonl } from '@/lib/store/export';
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

// Each test runs tsx once or more: seconds each on a busy machine.
describe('npm run verify', { timeout: 60_000 }, () => {
  it('says OK for an intact export (exit 0)', () => {
    const run = verify('--', file('ok.jsonl', `${lines.join('\n')}\n`));
    expect(run.out.split('\n')[0]).toBe('OK: 12 incidents, chain intact');
    expect(run.out).toContain('Header (not covered by the hash chain, NOT verified): tapguard "0.1.0", browser "Chrome/140.0"');
    expect(run.code).toBe(0);
  });

  it('has its own exit code (3) for a chain that is intact but starts after removed records', () => {
    // Records 5..12 with the header's counts adjusted: what an export after retention looks like.
    const header = { ...JSON.parse(lines[0]!), records: 8, firstId: 5, startsAtGenesis: false };
    const run = verify(file('pruned.jsonl', `${[JSON.stringify(header), ...lines.slice(5)].join('\n')}\n`));
    expect(run.out.split('\n')[0]).toBe('OK: 8 incidents, chain intact');
    expect(run.out).toContain('PARTIAL: the chain starts after older records that are not in this file');
    expect(run.code).toBe(3);
  });

  it('exits 3 too for a chain with a hole retention left, and says how many ids are missing', () => {
    const header = { ...JSON.parse(lines[0]!), records: 11 };
    const holed = [JSON.stringify(header), ...lines.slice(1, 5), '{"tapguardRemoved":{"afterId":4,"nextId":6}}', ...lines.slice(6)];
    const run = verify(file('holed.jsonl', `${holed.join('\n')}\n`));
    expect(run.out.split('\n')[0]).toBe('OK: 11 incidents, chain intact');
    expect(run.out).toContain('PARTIAL: retention removed low or medium records from 1 place in the chain (1 id missing)');
    expect(run.code).toBe(3);
    // The same file without the line that declares the hole is broken.
    const run2 = verify(file('cut.jsonl', `${holed.filter((l) => !l.startsWith('{"tapguardRemoved"')).join('\n')}\n`));
    expect(run2.out).toBe('BROKEN at line 6: prevHash does not match the hash of the previous record');
    expect(run2.code).toBe(1);
  }, 30_000);

  it('prints no control characters from the file, so an escape sequence cannot hide a line', () => {
    const header = { ...JSON.parse(lines[0]!), records: 8, browser: 'Chrome\u001b[1A\u001b[2K\u009b2K\u202eevil', exportedAt: '\u0007now' };
    const run = verify(file('escapes.jsonl', `${[JSON.stringify(header), ...lines.slice(5)].join('\n')}\n`));
    expect(run.code).toBe(3);
    // eslint-disable-next-line no-control-regex
    expect(run.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(run.out).toContain('browser "Chrome[1A[2K2Kevil", exported at "now"');
    expect(run.out).toContain('PARTIAL:');
  });

  it('says BROKEN for a line that is not in canonical form (exit 1)', () => {
    const spaced = [...lines];
    spaced[3] = spaced[3]!.replace('"severity":', '"severity": ');
    const run = verify(file('spaced.jsonl', spaced.join('\n')));
    expect(run.out).toMatch(/^BROKEN at line 4: this line is not written the way tapguard writes it/);
    expect(run.code).toBe(1);
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
    // Four runs of tsx: seconds on a busy machine.
  }, 60_000);
});
