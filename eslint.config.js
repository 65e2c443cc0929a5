import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

const OUTER_LAYERS = ['**/engine/**', '**/adapters/**', '**/app/**']

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'test/fixtures/**',
      'web/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'ws',
            'pino',
            'kysely',
            'better-sqlite3',
            'pg',
            'hyparquet',
            ...OUTER_LAYERS,
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'Buffer'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'domain time comes from inputs or a Clock' },
        {
          object: 'Math',
          property: 'random',
          message: 'domain randomness comes from a seeded source',
        },
      ],
    },
  },
  {
    files: ['src/contracts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'ws', 'pino', 'kysely', 'better-sqlite3', 'pg', ...OUTER_LAYERS] },
      ],
    },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/adapters/**', '**/app/**'] }],
    },
  },
  {
    files: ['src/adapters/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/app/**'] }],
    },
  },
  {
    // The web terminal runs in the browser and may import only the shared contracts and the
    // formatting half of domain/units.ts.
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'ws',
            'pino',
            'kysely',
            'better-sqlite3',
            'pg',
            ...OUTER_LAYERS,
            '**/domain/!(units).js',
            '**/domain/*/**',
          ],
        },
      ],
    },
  },
)
