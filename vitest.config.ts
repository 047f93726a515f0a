import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@cairn/source" export condition), so tests
  // never need a build and never see a stale dist/.
  resolve: { conditions: ['@cairn/source', ...defaultClientConditions] },
  // Vitest's own server default is Vite's without 'module' (which would pick bundler-only builds).
  ssr: { resolve: { conditions: ['@cairn/source', ...defaultServerConditions.filter((c) => c !== 'module')] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Generous: CLI tests spawn real `cairn` processes, which compile TypeScript on start (slow on a
    // busy 2-core CI machine). A timeout here is a hang, never a performance check (benchmarks do that).
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Postgres and Redis suites share one database each; files run in parallel but suites isolate by schema/prefix.
    pool: 'forks',
    // On a terminal the default reporter redraws its progress in place. Elsewhere (CI logs, `npm test
    // | tee`) it would print a file only when the whole file is done, leaving minutes without a line
    // while the end-to-end files run; `verbose` prints every test as it finishes instead.
    reporters: process.stdout.isTTY ? ['default'] : ['verbose'],
    // The SDK prints a "View run …" line whenever a run ends; the suites end thousands. Tests that
    // check that line turn it back on (`quiet: false`); spawned `cairn` processes get a clean env.
    env: { CAIRN_QUIET: '1' },
  },
});
