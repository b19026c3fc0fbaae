import { defineConfig } from 'vitest/config';

const GLOBAL_SETUP = ['tests/support/global-setup.ts'];

/**
 * Three tiers, by file name: `*.test.ts` beside the code needs no service (unit),
 * `*.int.test.ts` beside the code needs Postgres and/or Redis (int), tests/ starts real
 * processes and the browser (e2e). Only the tiers that use the services clean up after them.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests start real processes on a 2-core machine: one file at a time.
    fileParallelism: false,
    // CI asks for a JSON summary too, to print one pass/fail line for the whole suite.
    reporters: process.env.PHYSWATCH_TEST_JSON ? ['default', ['json', { outputFile: process.env.PHYSWATCH_TEST_JSON }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'int', include: ['packages/*/src/**/*.int.test.ts', 'apps/*/src/**/*.int.test.ts'], globalSetup: GLOBAL_SETUP },
      },
      { extends: true, test: { name: 'e2e', include: ['tests/**/*.test.ts'], globalSetup: GLOBAL_SETUP } },
    ],
  },
});
