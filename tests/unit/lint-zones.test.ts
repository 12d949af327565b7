// @vitest-environment node
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints one line of code as if it were the given file, with the project's own configuration. */
async function lint(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('lint zones: lib/ imports only downwards', () => {
  it.each([
    ['lib/core/url.ts', "import { openDb } from '../store/db';\nexport const x = openDb;\n"],
    ['lib/core/url.ts', "import { browser } from '../browser';\nexport const x = browser;\n"],
    ['lib/content/page-observer.ts', "import { createMonitor } from '@/lib/background/monitor';\nexport const x = createMonitor;\n"],
    ['lib/content/page-observer.ts', "import { openDb } from '../store/db';\nexport const x = openDb;\n"],
    ['lib/store/db.ts', "import { createMonitor } from '../background/monitor';\nexport const x = createMonitor;\n"],
    ['lib/ui/verdict.ts', "import { createMonitor } from '../background/monitor';\nexport const x = createMonitor;\n"],
    ['entrypoints/watch.content.ts', "import { openDb } from '@/lib/store/db';\nexport const x = openDb;\n"],
    ['lib/background/monitor.ts', "import { App } from '../../entrypoints/popup/App';\nexport const x = App;\n"],
    ['lib/ui-messages.ts', "import { openDb } from './store/db';\nexport const x = openDb;\n"],
  ])('refuses a wrong-way import in %s', { timeout: 30_000 }, async (file, code) => {
    expect(await lint(file, code)).not.toEqual([]);
  });

  it('accepts the right way: background → store → core, content → core and messages', { timeout: 30_000 }, async () => {
    expect(await lint('lib/background/monitor.ts', "import { openDb } from '../store/db';\nimport { hostOf } from '../core/url';\nexport const x = [openDb, hostOf];\n")).toEqual([]);
    expect(await lint('lib/ui-messages.ts', "import type { Settings } from './store/settings';\nexport type X = Settings;\n")).toEqual([]);
    expect(await lint('lib/content/page-observer.ts', "import { hostOf } from '../core/url';\nimport type { ContentMessage } from '../messages';\nexport const x = hostOf;\nexport type Y = ContentMessage;\n")).toEqual([]);
  });
});
