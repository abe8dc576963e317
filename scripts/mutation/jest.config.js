/**
 * Jest for mutation testing (npm run test:mutation): the unit specs of the libraries Stryker
 * mutates, no database, no Redis, no global setup. The transforms and module names are those of
 * the main config (jest.config.js).
 */
const main = require('../../jest.config.js');

module.exports = {
  testEnvironment: 'node',
  rootDir: '../..',
  roots: ['<rootDir>/libs'],
  modulePathIgnorePatterns: main.modulePathIgnorePatterns,
  testRegex: '.*\\.spec\\.ts$',
  transform: main.transform,
  transformIgnorePatterns: main.transformIgnorePatterns,
  moduleNameMapper: main.moduleNameMapper,
  setupFiles: ['reflect-metadata', '<rootDir>/test/support/fast-check-sizes.ts', '<rootDir>/scripts/mutation/setup-env.js'],
  testTimeout: 30000,
};
