import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Postgres and Redis suites share one database each; files run in parallel but suites isolate by schema/prefix.
    pool: 'forks',
  },
});
