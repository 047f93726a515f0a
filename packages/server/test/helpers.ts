import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Platform } from '@cairn/core';
import { BACKENDS, makeTestPlatform, type Backend, type TestPlatform } from '@cairn/core/testing';
import { AVAILABLE, skipReason } from '@cairn/core/testing/describe';
import { buildApp, type BuildAppOptions } from '../src/app.js';

export { AVAILABLE, BACKENDS, type Backend };

export interface ServerContext {
  backend: Backend;
  app: FastifyInstance;
  platform: Platform;
  dir: string;
  test: TestPlatform;
}

export interface SuiteOptions {
  /** Config overrides, e.g. `{ auth: 'enabled' }` or `{ server: { body_limit_bytes: 1000 } }`. */
  config?: Record<string, unknown>;
  app?: BuildAppOptions;
}

/**
 * Runs the same suite once per metadata backend against a real platform and `app.inject()`.
 * The suite body gets a getter, because the context exists only once `beforeAll` has run.
 */
export function describeEachBackend(title: string, suite: (ctx: () => ServerContext) => void, options: SuiteOptions = {}): void {
  for (const backend of BACKENDS) {
    describe.skipIf(!AVAILABLE[backend])(`${title} [${backend}]${skipReason(backend)}`, () => {
      let ctx: ServerContext | undefined;
      beforeAll(async () => {
        const test = await makeTestPlatform(backend, options.config ?? {});
        const app = buildApp(test.platform, { logger: false, ...options.app });
        await app.ready();
        ctx = { backend, app, platform: test.platform, dir: test.dir, test };
      });
      afterAll(async () => {
        await ctx?.app.close();
        await ctx?.test.cleanup();
      });
      suite(() => {
        if (!ctx) throw new Error('server context used before beforeAll ran');
        return ctx;
      });
    });
  }
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  raw: string;
  headers: Record<string, string | string[] | number | undefined>;
}

/** One request through `app.inject()`, with the JSON body parsed when there is one. */
// Response bodies are checked field by field in tests, so an untyped JSON default keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(app: FastifyInstance, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const options: InjectOptions = { method: method as InjectOptions['method'], url, headers };
  if (payload !== undefined) options.payload = payload as InjectOptions['payload'];
  const res = await app.inject(options);
  const isJson = String(res.headers['content-type'] ?? '').startsWith('application/json');
  return { status: res.statusCode, body: (isJson && res.body ? JSON.parse(res.body) : {}) as T, raw: res.body, headers: res.headers };
}

/** Creates an experiment and a run in it; returns their ids. */
export async function seedRun(app: FastifyInstance, name = `exp-${Math.random().toString(36).slice(2)}`): Promise<{ experimentId: string; runId: string }> {
  const exp = await call(app, 'POST', '/api/v1/experiments', { name });
  if (exp.status !== 201) throw new Error(`seed experiment: ${exp.raw}`);
  const experimentId = exp.body.experiment.experimentId as string;
  const run = await call(app, 'POST', '/api/v1/runs', { experimentId });
  if (run.status !== 201) throw new Error(`seed run: ${run.raw}`);
  return { experimentId, runId: run.body.run.info.runId as string };
}
