import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

/** `npm run test:chain`: the kernel chain only (QEMU, root), apart from the TypeScript suite. */
export default defineConfig({
  root: path.resolve(__dirname, '../..'),
  test: {
    include: ['tests/kernel-chain/*.e2e.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
