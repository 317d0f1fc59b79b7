/** Unit tests sit beside the code; integration tests in test/integration need the stack. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '\\.spec\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  maxWorkers: 2,
  // Only for @asyncapi/parser's dependency clash; see the file.
  resolver: '<rootDir>/test/support/jest-resolver.js',
  reporters: ['default', '<rootDir>/test/support/totals-reporter.js'],
};
