import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

/** The harness self-test's chain config: one file that fails in beforeAll. */
export default defineConfig({
  root: path.resolve(__dirname, '../../../..'),
  test: { include: ['packages/watch-module/test/selftest/before-all-throws.e2e.ts'] },
});
