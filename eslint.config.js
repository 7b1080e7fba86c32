// ESLint for the whole project: TypeScript (strict, type-aware at module boundaries) and Vue.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.gpu/**', 'test-results/**', 'resources/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['main/**', 'electron/**', 'tests/**', 'bench/**', 'scripts/**', 'bin/**', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // A deferred transaction that reads first fails at once (SQLITE_BUSY_SNAPSHOT) when another
    // process commits before its first write: store code opens transactions only through
    // writeTransaction (main/store/transaction.ts), which takes the write lock at BEGIN.
    files: ['main/**', 'bench/**', 'scripts/**', 'electron/**', 'bin/**'],
    ignores: ['main/store/transaction.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='transaction']", message: 'Use writeTransaction(db, fn) from main/store/transaction.ts (BEGIN IMMEDIATE).' },
      ],
    },
  },
  {
    // The renderer talks only to the API client; it may not reach into Node-side code.
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/*', '!**/main/contract'], message: 'The renderer imports only main/contract.' },
            { group: ['node:*', 'electron'], message: 'The renderer runs in a browser sandbox.' },
          ],
        },
      ],
    },
  },
);
