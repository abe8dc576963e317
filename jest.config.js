/** Unit (*.spec.ts), integration (*.integration-spec.ts) and end-to-end (test/*.e2e-spec.ts) tests. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const ESM = '(openid-client|oauth4webapi|jose|oidc-provider|@koa|koa|quick-lru|nanoid|eta|got|oidc-token-hash|@fastify/cookie|cookie|content-disposition|@noble/hashes|@noble/curves|uuid|cockatiel)';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  modulePathIgnorePatterns: ['<rootDir>/libs/platform-sdk/dist/'],
  testRegex: '.*\\.(spec|integration-spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
    // openid-client, oidc-provider, uuid, cockatiel and what they build on are ES modules: Node
    // loads them with require, Jest's own loader does not (its require(esm) needs
    // --experimental-vm-modules even on Node 24), so they are compiled to CommonJS here
    // (docs/decisions/0006, 0012).
    [`^.+/node_modules/${ESM}/.+\\.js$`]: ['@swc/jest', { ...swc, jsc: { ...swc.jsc, parser: { syntax: 'ecmascript' } } }],
  },
  // Nested copies count too (@fastify/static/node_modules/content-disposition).
  transformIgnorePatterns: [`^(?!.*/node_modules/${ESM}/).*/node_modules/`],
  moduleNameMapper: {
    '^@ostracon/migrations$': '<rootDir>/migrations',
    // Integration specs beside a lib reach the test world (databases, Redis, builders) through this.
    '^@ostracon/test-support$': '<rootDir>/test/support',
    '^@ostracon/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@ostracon/platform-sdk/([a-z/-]+)$': '<rootDir>/libs/platform-sdk/src/$1',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/worker-env.ts', 'reflect-metadata', '<rootDir>/test/support/fast-check-sizes.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
