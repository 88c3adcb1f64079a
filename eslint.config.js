// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { catchStatesReason } from './eslint/catch-states-reason.js';

/**
 * typescript-eslint's type-checked rules over the whole tree. Product code may not use `any` or
 * leave a promise floating; tests may use `any` for the JSON they inspect. A `catch` must say why
 * it swallows (an empty block needs a comment; `no-empty` enforces it).
 */
export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      'coverage/**',
      'web/dist/**',
      '**/*.mjs',
      'sdk/cli/templates/**',
      'eslint.config.js',
      'eslint/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { switchboard: { rules: { 'catch-states-reason': catchStatesReason } } },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'switchboard/catch-states-reason': 'error',
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The service worker is plain JavaScript served as is (not bundled, not in a tsconfig).
    files: ['web/public/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'script', globals: { self: 'readonly', URL: 'readonly' } },
  },
);
