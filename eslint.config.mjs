// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'libs/platform-sdk/dist/**', 'libs/platform-sdk/examples/**', 'node_modules/**', 'coverage/**', '.local/**', 'jest.config.js', 'eslint.config.mjs', 'test/support/summary-reporter.js', 'libs/platform-sdk/src/api-types.ts', 'scripts/mutation/**', 'scripts/*.mjs', 'reports/**', '.stryker-tmp/**'] },
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
  {
    // Boundaries (STYLE.md): libs never import apps; a lib is entered through its index only.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apps/**', '@ostracon/*/src/**'], message: 'libs never import apps, nor another lib past its index' },
            { regex: '^\\.\\./\\.\\./', message: 'cross into another lib through its @ostracon/<lib> alias' },
          ],
        },
      ],
    },
  },
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
