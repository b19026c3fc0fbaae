import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests start real processes on a 2-core machine: one file at a time.
    fileParallelism: false,
    // CI asks for a JSON summary too, to print one pass/fail line for the whole suite.
    reporters: process.env.PHYSWATCH_TEST_JSON ? ['default', ['json', { outputFile: process.env.PHYSWATCH_TEST_JSON }]] : ['default'],
  },
});
