import { defineConfig } from 'vitest/config';

// The example's own tests (`npm test` in this folder). From the repository root, the root config runs them too.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // They run real pipelines and child processes: generous limits, never a performance check.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
