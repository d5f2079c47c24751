import { defineConfig } from 'vitest/config';

// Unit tests are fast and need nothing but Node. Files named `*.int.test.ts` boot real
// guests under QEMU TCG; they build (or reuse) the cached guest image themselves, and test
// files run one at a time so that two VMs never compete for the machine's cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/owner-mark.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
