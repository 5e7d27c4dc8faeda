// @ts-check
const eslint = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', '.data/**', 'web/**/*.min.js'] },
  eslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
  {
    // The demo sign-in frontend: plain browser ES modules, no build step.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        sessionStorage: 'readonly',
        atob: 'readonly',
        TextDecoder: 'readonly',
        PublicKeyCredential: 'readonly',
        HTMLElement: 'readonly',
        URL: 'readonly',
      },
    },
  },
  {
    // The admin console: plain browser ES modules, no build step.
    files: ['admin/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        sessionStorage: 'readonly',
        atob: 'readonly',
        URL: 'readonly',
        Node: 'readonly',
        crypto: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The import rules of DESIGN.md §2: the domain has no I/O; services see ports only; triggers never import local/ or adapters.
    // shared/ runs on Azure too, so it never imports the embedded runtime (local/: the host, the durable engine
    // and its store). The domain and services blocks below repeat '**/local/**': a later block replaces the rule.
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/local/**'] }] },
  },
  {
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/adapters/**',
            '**/services/**',
            '**/functions/**',
            '**/local/**',
            '@azure/*',
            'better-sqlite3',
            'node:fs',
            'node:http',
          ],
        },
      ],
    },
  },
  {
    files: ['shared/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/adapters/**', '**/functions/**', '**/local/**', '@azure/*', 'better-sqlite3'] },
      ],
    },
  },
  {
    files: ['functions/**/*.ts', 'orchestrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/local/**', '**/adapters/**', '@azure/cosmos', '@azure/service-bus', 'better-sqlite3'] },
      ],
    },
  },
  {
    // The composition root builds services; which adapter serves each port is adapterSelection.ts's one decision.
    files: ['shared/app.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/local/**', '**/adapters/**'] }] },
  },
);
