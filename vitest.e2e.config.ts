import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests: the real server (built UI, embedded database, demo cohort) driven through Debian's chromium. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/server.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
