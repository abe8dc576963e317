// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const LIB_BOUNDARIES = [
  { group: ['**/apps/**', '@ostracon/*/src/**'], message: 'libs never import apps, nor another lib past its index' },
  { regex: '^\\.\\./\\.\\./', message: 'cross into another lib through its @ostracon/<lib> alias' },
  { regex: '^(apps|libs|test|migrations)/', message: 'import through an @ostracon/<lib> alias, not a path from the root' },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/platform-sdk/dist/**',
      'libs/platform-sdk/examples/**',
      'node_modules/**',
      'coverage/**',
      '.local/**',
      'jest.config.js',
      'eslint.config.mjs',
      'test/support/summary-reporter.js',
      'libs/platform-sdk/src/api-types.ts',
      'scripts/mutation/**',
      'scripts/*.mjs',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // Boundaries (docs/CONTRIBUTING.md § Layout, docs/architecture.md § Layers): libs never import apps,
  // a lib is entered through its index only, and a lib imports only the libs below it, listed here.
  // A new import across a layer fails `npm run lint`; moving a lib in this table is a design change.
  // An integration spec may wire the libs above its own, as an app does (the stages of order changes).
  { files: ['libs/**/*.integration-spec.ts'], rules: { 'no-restricted-imports': ['error', { patterns: LIB_BOUNDARIES }] } },
  ...Object.entries({
    common: [],
    config: ['common'],
    database: ['common', 'config'],
    identity: ['common'],
    audit: ['common', 'config', 'database'],
    platforms: ['common', 'config', 'database', 'audit'],
    auth: ['common', 'config', 'database', 'audit'],
    orders: ['common', 'config', 'database', 'identity', 'audit', 'platforms'],
    enforcement: ['common', 'config', 'database', 'audit', 'platforms', 'orders'],
    screening: ['common', 'config', 'database', 'identity', 'audit', 'orders'],
    'private-checks': ['common', 'config', 'database', 'identity', 'audit', 'orders', 'screening'],
    // E-mails to people (attempts): reads people and matches in SQL, writes only its mail outbox.
    notifications: ['common', 'config', 'database', 'audit'],
    // Published to platforms: it imports no lib of the service.
    'platform-sdk': [],
  }).flatMap(([lib, below]) =>
    // Production files may import the libs below; a unit spec may also use test-support.
    [false, true].map((spec) => ({
      files: spec ? [`libs/${lib}/**/*.spec.ts`] : [`libs/${lib}/**/*.ts`],
      ignores: spec ? [] : ['**/*.spec.ts', '**/*.integration-spec.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...LIB_BOUNDARIES,
              {
                // The SDK is a package like any from npm; test-support is for specs only.
                regex: `^@ostracon/(?!(${[lib, ...below, 'platform-sdk', ...(spec ? ['test-support'] : [])].join('|')})(/|$))`,
                message: `@ostracon/${lib} imports only ${below.length ? below.map((b) => '@ostracon/' + b).join(', ') : 'no other lib'} (the layers in eslint.config.mjs, docs/architecture.md)`,
              },
            ],
          },
        ],
      },
    })),
  ),
  {
    files: ['apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/libs/**'], message: 'import libs through their @ostracon/<lib> alias' }] },
      ],
    },
  },
  {
    // Benchmarks are command-line reports.
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.integration-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
