import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // The folder map is the architecture: lib/ never reaches into entrypoints or UI components.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@/entrypoints/*', '@/components/*', '../entrypoints/*', '../components/*'] }],
    },
  },
  {
    // Content code runs in hostile pages and must not pull in storage-owning or background modules.
    files: ['lib/content/**/*.ts', 'entrypoints/content.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/db', '**/incidents', '**/monitor', '@/lib/db', '@/lib/incidents', '@/lib/monitor'] }],
    },
  },
);
