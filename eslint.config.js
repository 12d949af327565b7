import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The folder map is the architecture (README, "How it is built"): each zone of lib/ may import only
 * the zones below it. core imports nothing else; content (runs in hostile pages) only core and the
 * messages; store and ui never reach into the background; nothing in lib/ reaches into entrypoints
 * or UI components. Enforced here, and a unit test shows a wrong-way import failing.
 */
const ZONES = {
  core: ['background', 'store', 'content', 'ui'],
  content: ['background', 'store', 'ui'],
  store: ['background', 'content', 'ui'],
  ui: ['background', 'content'],
  background: ['content', 'ui'],
};
const everywhere = ['@/entrypoints/*', '@/components/*', '**/entrypoints/*', '**/components/*'];
const patternsFor = (forbidden) => [...everywhere, ...forbidden.flatMap((zone) => [`@/lib/${zone}/*`, `**/${zone}/*`])];
const zone = (name, files, extra = []) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: [...patternsFor(ZONES[name]), ...extra], message: `lib/${name} may not import this (see the zones in eslint.config.js).` }] },
    ],
  },
});


export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', 'lab/.run/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Short functions: a function over 60 lines says why in an eslint-disable comment.
  {
    files: ['lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'entrypoints/**/*.{ts,tsx}'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  // core is pure: not even the browser API shim or the messages.
  zone('core', ['lib/core/**/*.ts'], ['**/messages', '@/lib/messages', '**/browser', '@/lib/browser']),
  // Content scripts live in hostile pages; their entrypoints count as content.
  zone('content', ['lib/content/**/*.ts', 'entrypoints/*.content.ts'], ['**/lib/browser', '@/lib/browser']),
  zone('store', ['lib/store/**/*.ts']),
  zone('ui', ['lib/ui/**/*.ts']),
  zone('background', ['lib/background/**/*.ts']),
  {
    files: ['lib/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: patternsFor(['background', 'store', 'content', 'ui']) }] },
  },
  // The pages' requests to the background name the store's and the collector's data in their
  // answers: types only, which leave no code behind; their code stays out of reach.
  {
    files: ['lib/ui-messages.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: patternsFor(['background', 'store', 'content', 'ui']), allowTypeImports: true, message: 'lib/ui-messages.ts may import only types from here.' }] },
      ],
    },
  },
);
