/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
};

module.exports = {
  // e2e tests start real Terraform/OpenTofu processes and the emulator.
  testTimeout: 180000,
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'cdktf',
      roots: ['<rootDir>/__tests__'],
      testMatch: ['**/*.test.ts'],
      // The lifecycle matrix (__tests__/lifecycle/): cleared at the start, printed at the end.
      globalSetup: '<rootDir>/__tests__/lifecycle/global-setup.ts',
      globalTeardown: '<rootDir>/__tests__/lifecycle/global-teardown.ts',
    },
    // The construct and synth tests again, with the maintained fork cdktn instead of cdktf
    // (constructs/framework.ts picks the package).
    {
      ...base,
      displayName: 'cdktn',
      roots: ['<rootDir>/__tests__/constructs'],
      testMatch: ['**/*.test.ts'],
      setupFiles: ['<rootDir>/__tests__/setup/cdktn.ts'],
    },
  ],
};
