// The CLI's cold start: a command loads only what it uses. `--help` loads none of core, and a
// SQLite command none of DuckDB, BullMQ, ioredis, pg, the AWS SDK or the server (Fastify). Checked
// by the modules a real `cairn` process resolves, not by timing (BENCHMARKS.md has the timings).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN, childEnv } from '../src/testing/cli-process.js';

const TRACE_HOOK = fileURLToPath(new URL('./module-trace.mjs', import.meta.url));

const HEAVY = {
  duckdb: /\/@duckdb\//,
  bullmq: /\/bullmq\//,
  ioredis: /\/ioredis\//,
  pg: /\/node_modules\/pg(-[a-z]+)?\//,
  'aws-sdk': /\/@aws-sdk\//,
  server: /\/packages\/server\/|\/@cairn\/server\/|\/fastify\//,
  'cron-parser': /\/cron-parser\//,
  yazl: /\/yazl\//,
};

describe('lazy loading in the cairn command', () => {
  let dir: string;
  let n = 0;

  /** The modules `cairn ...args` resolved from the sources (tsx's own, which the checkout's bin registers, left out). */
  const modulesOf = (...args: string[]): Promise<{ code: number | null; modules: string[]; stderr: string }> => {
    const trace = join(dir, `trace-${++n}.txt`);
    return new Promise((done) => {
      execFile(process.execPath, ['--import', TRACE_HOOK, CAIRN_BIN, ...args], { cwd: dir, env: childEnv({ MODULE_TRACE_FILE: trace, CAIRN_CLI_FROM_DIST: '0' }), timeout: 120_000 }, (error, _stdout, stderr) => {
        let modules: string[] = [];
        try {
          modules = readFileSync(trace, 'utf8').split('\n').filter((u) => u && !/\/(tsx|esbuild)\//.test(u));
        } catch {
          // nothing resolved
        }
        done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, modules, stderr });
      });
    });
  };
  const loaded = (modules: string[]) => Object.entries(HEAVY).filter(([, re]) => modules.some((m) => re.test(m))).map(([name]) => name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-lazy-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('`cairn --help` loads the command tree and nothing of core but its errors', async () => {
    const { code, modules } = await modulesOf('--help');
    expect(code).toBe(0);
    expect(modules.some((m) => m.endsWith('/commander/esm.mjs'))).toBe(true);
    const core = modules.filter((m) => /\/packages\/core\/|\/@cairn\/core\//.test(m)).map((m) => m.replace(/^.*\/core\/src\//, ''));
    expect([...new Set(core)].sort()).toEqual(['errors.ts', 'util/key-map.ts']);
    expect(modules.filter((m) => /\/(kysely|zod|yaml|better-sqlite3)\//.test(m))).toEqual([]);
    expect(loaded(modules)).toEqual([]);
  });

  it('`cairn runs list` and `cairn models resolve` on a SQLite store load none of the other backends', async () => {
    expect((await modulesOf('experiments', 'create', 'lazy')).code).toBe(0);
    const runs = await modulesOf('runs', 'list', '--experiment', 'lazy');
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.modules.some((m) => /\/better-sqlite3\//.test(m))).toBe(true);
    expect(loaded(runs.modules)).toEqual([]);
    const resolve = await modulesOf('models', 'resolve', 'churn@champion');
    expect(resolve.code).toBe(1);
    expect(resolve.stderr).toMatch(/churn/);
    expect(loaded(resolve.modules)).toEqual([]);
  });
});
