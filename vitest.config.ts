import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Generous: CLI tests spawn real `cairn` processes, which compile TypeScript on start (slow on a
    // busy 2-core CI machine). A timeout here is a hang, never a performance check (benchmarks do that).
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Postgres and Redis suites share one database each; files run in parallel but suites isolate by schema/prefix.
    pool: 'forks',
  },
});
