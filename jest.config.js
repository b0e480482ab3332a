// Native ESM under jest: middy 7 ships ESM only, so the whole suite runs as ES modules
// (NODE_OPTIONS=--experimental-vm-modules, set by `npm run jest`) and swc strips the types.
process.env.LOG_LEVEL ??= 'warn';
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2022',
          experimental: { keepImportAttributes: true },
        },
        module: { type: 'es6' },
      },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The integration and end-to-end suites record AWS calls for the IAM proof (npm run package:check).
  globalSetup: '<rootDir>/test/support/iam-calls-reset.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/iam-recording.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
