import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file builds its own app on its own database (PGlite in memory, or its own PostgreSQL schema),
    // so files run in parallel.
    pool: 'forks',
    globalSetup: ['test/helpers/pglite-template.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
