// ESLint for the whole project: TypeScript (strict, type-aware at module boundaries) and Vue.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import noImportCycle from './eslint-rules/no-import-cycle.js';
import prettier from 'eslint-config-prettier';

/**
 * Layers, from the bottom up (README, Folders and layers): a file imports only from its own
 * layer or the ones below, so a wrong arrow fails `npm run lint`. Each row: the folders of a
 * layer and the project folders its relative imports may not reach (a regex over the import's
 * path: `../` as often as need be, then the folder). Tests (`*.test.ts`) and test helpers
 * (`testing/`) wire layers together and are left out.
 */
const LAYERS = [
  { layer: 'contract', files: ['main/contract/**'], mayNotReach: /^\.\.\//, says: 'main/contract imports nothing of the project (it is the bottom layer).' },
  {
    layer: 'engine',
    files: ['main/engine/**'],
    mayNotReach: /^(\.\.\/)+(api|cli|jobs|store|datasets)(\/|\.ts$)/,
    says: 'main/engine imports only main/contract and main/engine: it is handed what it needs (paths, text), never the store, jobs or the API.',
  },
  {
    layer: 'store',
    files: ['main/store/**'],
    mayNotReach: /^(\.\.\/)+(api|cli|jobs|engine|datasets)(\/|\.ts$)/,
    says: 'main/store imports only main/contract and main/store (it does not know tensors).',
  },
  {
    layer: 'datasets',
    files: ['main/datasets/**'],
    mayNotReach: /^(\.\.\/)+(api|cli|jobs|engine|store)(\/|\.ts$)/,
    says: 'main/datasets (image files in, checked rows out) imports only main/contract and main/datasets.',
  },
  {
    layer: 'jobs',
    files: ['main/jobs/**'],
    mayNotReach: /^(\.\.\/)+(api|cli)(\/|\.ts$)/,
    says: 'main/jobs imports main/contract, engine, store, datasets and jobs: never the API or the CLI above it.',
  },
  {
    layer: 'api',
    files: ['main/api/**'],
    ignores: ['main/api/http/**'],
    mayNotReach: /^\.\/http\/|^(\.\.\/)+(cli|http)(\/|\.ts$)/,
    says: 'main/api imports every layer below it, never the adapters (api/http, cli, electron).',
  },
  {
    layer: 'adapters',
    files: ['main/api/http/**', 'main/cli/**'],
    mayNotReach: /^(\.\.\/)+renderer\//,
    says: 'The adapters (HTTP, CLI) serve the API; the renderer is reached only through it.',
  },
  {
    layer: 'electron',
    files: ['electron/**'],
    mayNotReach: /^(\.\.\/)+renderer\//,
    says: 'electron/ (window, preload, IPC) serves the API; the renderer is reached only through it.',
  },
  {
    layer: 'renderer',
    files: ['renderer/**'],
    mayNotReach: /(^|\/)main\/(?!contract\/)|^(\.\.\/)+electron\//,
    says: 'The renderer imports only main/contract; it talks to the API through its client.',
  },
];
const NODE_ONLY = { group: ['node:*', 'electron'], message: 'This code also runs in the browser sandbox (the renderer imports it).' };
const MAIN_NOT_ELECTRON = { group: ['electron'], message: 'main/ runs in plain Node too (CLI, server, workers): only electron/ imports electron.' };

function layerRules() {
  return LAYERS.map(({ layer, files, ignores, mayNotReach, says }) => ({
    name: `layers/${layer}`,
    files,
    ignores: [...(ignores ?? []), '**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: mayNotReach.source, message: says },
            ...(layer === 'renderer' || layer === 'contract' ? [NODE_ONLY] : layer === 'electron' ? [] : [MAIN_NOT_ELECTRON]),
          ],
        },
      ],
    },
  }));
}

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
    files: ['main/**', 'electron/**', 'tests/**', 'bench/**', 'scripts/**', 'bin/**', 'eslint-rules/**', '*.config.*'],
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
  ...layerRules(),
  {
    // No import cycles among the app's modules (tests and bench sit outside the graph).
    files: ['main/**', 'electron/**', 'renderer/**'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    plugins: { local: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'local/no-import-cycle': 'error' },
  },
  // Layout is Prettier's (.prettierrc.json, line length 180; `npm run format`): ESLint's formatting rules are turned off.
  prettier,
);
