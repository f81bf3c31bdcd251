/** Unit tests sit beside the code; end-to-end suites in test/ run against a real PostgreSQL. */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: { '^@diapason/(.*)$': '<rootDir>/libs/$1/src' },
  rootDir: __dirname,
  testTimeout: 60_000,
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // test/support/*.spec.ts: unit tests of the test tools themselves (no database).
      testMatch: ['<rootDir>/{apps,libs,simulators}/**/*.spec.ts', '<rootDir>/test/support/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      // Integration specs beside the code they test (`*.int-spec.ts`) need the same PostgreSQL.
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
