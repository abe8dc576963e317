// @ts-check
/**
 * npm run test:mutation (issue 17; docs/CONTRIBUTING.md § Mutation testing): StrykerJS over the
 * code that decides, verifies and hashes, against its unit specs only (no database). Incremental:
 * a rerun after a small change tests only the mutants it touches. Per-file thresholds are checked
 * afterwards by thresholds.mjs (Stryker's own are global). Reports in reports/ (git-ignored).
 *
 * Equivalent mutants (no behaviour can differ) are listed here with their reason, one by one:
 * none yet.
 */
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { configFile: 'scripts/mutation/jest.config.js', enableFindRelatedTests: true },
  checkers: [],
  mutate: [
    // Signals: normalization and hashing (the SDK's, which the service runs), the index and the screener.
    'libs/platform-sdk/src/signals/normalize.ts',
    'libs/platform-sdk/src/signals/signal-types.ts',
    'libs/platform-sdk/src/signals/prehash.ts',
    'libs/identity/src/hash.ts',
    'libs/screening/src/signal-index.ts',
    'libs/screening/src/screener.ts',
    // The legal rules.
    'libs/orders/src/order-rules.ts',
    // The log: Merkle trees, signed notes, cosignatures and their checks.
    'libs/platform-sdk/src/transparency/merkle.ts',
    'libs/platform-sdk/src/transparency/signed-note.ts',
    'libs/platform-sdk/src/transparency/cosignature.ts',
    'libs/platform-sdk/src/transparency/verify.ts',
    // Private checks: the OPRF and the set table.
    'libs/platform-sdk/src/private/voprf.ts',
    'libs/platform-sdk/src/private/tag-set.ts',
    // Keys at rest.
    'libs/common/src/key-ring-cipher.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', '.local', 'reports', 'bench/results', 'docs/console', 'apps/console', 'libs/platform-sdk/dist', '.stryker-tmp'],
  // Stryker's own break is the lowest per-file threshold; thresholds.mjs holds each file to its own.
  thresholds: { high: 90, low: 85, break: null },
};
