// ESLint finds mistakes; Prettier owns layout, so no rule here is about style.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // generated, installed or written by runs
    ignores: ['node_modules/', 'dist/', 'data/', 'test/artifacts/', '.cache/', 'docs/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { version, ...facts } = row` is how a field is left out of a copy
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Type-aware, but only the cheap rules that catch lost promises: an un-awaited write, an async
    // callback where a sync one is expected, an `await` on something that is not a promise.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Arguments are left out: Knex builders are thenables (`.modify((q) => q.where(…))`) and
      // `http.createServer(app.callback())` is Koa's own idiom; neither loses a rejection.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // A test reads response bodies loosely on purpose; a wrong guess fails the test, it hides no bug.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
