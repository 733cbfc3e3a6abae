import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Several server processes on one database need a real PostgreSQL: without DATABASE_URL the file is not collected.
    exclude: ['**/node_modules/**', 'test/e2e/**', ...(process.env.DATABASE_URL ? [] : ['test/api/concurrency.test.ts'])],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
