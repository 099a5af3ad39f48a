import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // real Docker and QEMU guests: one file at a time keeps a 2-core host from timing out
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { TZ: 'UTC' },
  },
});
