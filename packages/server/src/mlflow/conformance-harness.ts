import type { Platform } from '@cairn/core';
import { BACKENDS, backendAvailable, makeTestPlatform, type Backend, type TestPlatform } from '@cairn/core/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildApp } from '../app.js';
import { registerMlflowRoutes } from './index.js';

// Test support for the MLflow conformance suite: the same cases run on every metadata backend,
// through `app.inject()`, with MLflow's request shapes. The types describe MLflow's JSON.

export interface MlflowKeyValue { key: string; value: string }
export interface MlflowMetric { key: string; value: number | string; timestamp: number; step: number }
export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  last_update_time: number;
  creation_time: number;
  tags?: MlflowKeyValue[];
}
export interface MlflowRunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: string;
}
export interface MlflowDatasetInput {
  tags?: MlflowKeyValue[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}
export interface MlflowRun {
  info: MlflowRunInfo;
  data: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] };
  inputs: { dataset_inputs?: MlflowDatasetInput[] };
}
export interface MlflowError { error_code: string; message: string }

export interface Reply<T> { status: number; body: T; headers: Record<string, unknown>; raw: Buffer }

export const API = '/api/2.0/mlflow';
export const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

export interface MlflowHarness {
  app: FastifyInstance;
  platform: Platform;
  /** The test platform's temp folder; the artifact root is `<dir>/artifacts`. */
  dir: string;
  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<Reply<T>>;
  get<T = Record<string, unknown>>(path: string, query?: Record<string, string | string[]>): Promise<Reply<T>>;
  /** A fresh experiment's id (names are unique per call). */
  experiment(prefix?: string): Promise<string>;
  /** A fresh run in `experimentId` (a new experiment when absent). */
  run(experimentId?: string, extra?: Record<string, unknown>): Promise<MlflowRun>;
}

/** Builds the app the suite drives: MLflow's routes on a bare Fastify instance. */
export type AppFactory = (platform: Platform) => Promise<FastifyInstance>;

export const TEST_MAX_UPLOAD_BYTES = 1024 * 1024;

export const bareApp: AppFactory = async (platform) => {
  const app = Fastify({ logger: false });
  registerMlflowRoutes(app, platform, { maxUploadBytes: TEST_MAX_UPLOAD_BYTES });
  await app.ready();
  return app;
};

/** The real server app (host check, auth hook, route policies, Cairn's own routes), which mounts MLflow's routes. */
export const serverApp: AppFactory = async (platform) => {
  const app = buildApp(platform, { logger: false, maxUploadBytes: TEST_MAX_UPLOAD_BYTES });
  await app.ready();
  return app;
};

function toReply<T>(res: { statusCode: number; rawPayload: Buffer; headers: Record<string, unknown> }): Reply<T> {
  const text = res.rawPayload.toString('utf8');
  const json = String(res.headers['content-type'] ?? '').startsWith('application/json') && text ? JSON.parse(text) : text;
  return { status: res.statusCode, body: json as T, headers: res.headers, raw: res.rawPayload };
}

let counter = 0;
// Underscores only: names are matched with LIKE in the tests, where `_` still matches itself.
export const unique = (prefix: string): string => `${prefix}_${process.pid}_${Date.now()}_${counter++}`;

function makeHarness(app: FastifyInstance, t: TestPlatform): MlflowHarness {
  const h: MlflowHarness = {
    app,
    platform: t.platform,
    dir: t.dir,
    async post(path, body) {
      return toReply(await app.inject({ method: 'POST', url: `${API}${path}`, payload: body as object }));
    },
    async get(path, query = {}) {
      return toReply(await app.inject({ method: 'GET', url: `${API}${path}`, query }));
    },
    async experiment(prefix = 'exp') {
      const res = await h.post<{ experiment_id: string }>('/experiments/create', { name: unique(prefix) });
      if (res.status !== 200) throw new Error(`experiments/create failed: ${JSON.stringify(res.body)}`);
      return res.body.experiment_id;
    },
    async run(experimentId, extra = {}) {
      const experiment_id = experimentId ?? (await h.experiment());
      const res = await h.post<{ run: MlflowRun }>('/runs/create', { experiment_id, start_time: Date.now(), ...extra });
      if (res.status !== 200) throw new Error(`runs/create failed: ${JSON.stringify(res.body)}`);
      return res.body.run;
    },
  };
  return h;
}

export type HarnessTest = (name: string, fn: (h: MlflowHarness) => Promise<void>, timeout?: number) => void;

/**
 * Runs `cases` once per metadata backend (and per app factory). A backend that is unavailable here
 * skips with its reason; under CI=true PostgreSQL is always required.
 */
export interface DescribeOptions {
  /** App factories to run the cases against; both by default. */
  apps?: Record<string, AppFactory>;
  /** Config overrides for the test platform, e.g. `{ auth: 'enabled' }`. */
  config?: Record<string, unknown>;
}

export function describeMlflow(title: string, cases: (test: HarnessTest) => void, options: DescribeOptions = {}): void {
  const apps = options.apps ?? { bare: bareApp, server: serverApp };
  for (const backend of BACKENDS as Backend[]) {
    for (const [appName, makeApp] of Object.entries(apps)) {
      describe(`${title} [${backend}, ${appName} app]`, () => {
        let t: TestPlatform | undefined;
        let h: MlflowHarness | undefined;
        let skipReason: string | null = null;
        beforeAll(async () => {
          if (!(await backendAvailable(backend))) {
            skipReason = `${backend} is not reachable here (set CI=true to require it)`;
            return;
          }
          t = await makeTestPlatform(backend, options.config ?? {});
          h = makeHarness(await makeApp(t.platform), t);
        });
        afterAll(async () => {
          await h?.app.close();
          await t?.cleanup();
        });
        cases((name, fn, timeout) =>
          it(name, async (ctx) => {
            if (skipReason !== null || !h) return ctx.skip(skipReason ?? 'setup failed');
            await fn(h);
          }, timeout),
        );
      });
    }
  }
}

/** Tags of a run or experiment as a map. */
export function tagMap(list: MlflowKeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
}
