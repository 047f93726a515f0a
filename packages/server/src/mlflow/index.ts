import type { Platform } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { useJsonBodies } from '../json-body.js';
import { registerRouter, type CairnApp, type CairnRouter, type RouterMount } from '../router.js';
import { MLFLOW_LIMITS } from './limits.js';
import { useMlflowErrors } from './mlflow-route.js';
import { artifactListRoute, artifactProxyRoutes, type ArtifactProxyOptions } from './routes-artifacts.js';
import { experimentRoutes } from './routes-experiments.js';
import { historyRoutes } from './routes-history.js';
import { legacyArtifactRouter } from './routes-legacy-artifacts.js';
import { loggingRoutes } from './routes-logging.js';
import { runRoutes } from './routes-runs.js';
import { rememberBodyText } from './body-text.js';

/** Where MLflow clients (`/api/2.0`) and MLflow's web UI (`/ajax-api/2.0`) look for the API. */
export const MLFLOW_API_BASES = ['/api/2.0', '/ajax-api/2.0'] as const;

export type MlflowRouteOptions = ArtifactProxyOptions;

/** Whether a URL lies under one of the MLflow adapter's prefixes (its errors then use MLflow's codes). */
export function isMlflowPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return MLFLOW_API_BASES.some((base) => /^\/mlflow(-artifacts)?(\/|$)/.test(path.slice(base.length)) && path.startsWith(base));
}

/**
 * JSON bodies up to MLflow's 1 MB limit. Like MLflow's server, an empty body reads as `{}` and a
 * body that is a JSON string holding JSON (sent by old clients) is decoded twice.
 */
export function useMlflowJson(app: CairnApp): void {
  useJsonBodies(app, { empty: {}, decodeStringBody: true, bodyLimit: MLFLOW_LIMITS.bodyBytes, onText: rememberBodyText });
}

function trackingRouter(platform: Platform): CairnRouter {
  return (app) => {
    useMlflowErrors(app);
    useMlflowJson(app);
    experimentRoutes(app, platform);
    runRoutes(app, platform);
    loggingRoutes(app, platform);
    historyRoutes(app, platform);
    artifactListRoute(app, platform);
  };
}

function artifactProxyRouter(platform: Platform, options: MlflowRouteOptions): CairnRouter {
  return (app) => {
    useMlflowErrors(app);
    artifactProxyRoutes(app, platform, options);
  };
}

/**
 * MLflow's REST API 2.0 as routers: the tracking API under `<base>/mlflow` and the artifact proxy
 * under `<base>/mlflow-artifacts`, for both bases of {@link MLFLOW_API_BASES}.
 */
export function mlflowRouters(platform: Platform, options: MlflowRouteOptions): RouterMount[] {
  return [
    ...MLFLOW_API_BASES.flatMap((base) => [
      { prefix: `${base}/mlflow`, router: trackingRouter(platform) },
      { prefix: `${base}/mlflow-artifacts`, router: artifactProxyRouter(platform, options) },
    ]),
    // The legacy download routes sit at the root, outside the API bases, as on an MLflow server.
    { prefix: '', router: legacyArtifactRouter(platform) },
  ];
}

/**
 * Serves MLflow's REST API 2.0 (experiments, runs, metrics, artifact listing) and its artifact
 * proxy on top of the platform's services, so MLflow clients can log to Cairn unchanged. Errors and
 * unknown paths under these prefixes answer in MLflow's `{error_code, message}` shape. Every route
 * declares its auth policy: reads `reader`, writes `editor`.
 *
 * @example
 * ```ts
 * const app = buildApp(platform);            // or a bare Fastify() in tests
 * registerMlflowRoutes(app, platform, { maxUploadBytes: 5 * 1024 ** 3 });
 * // then: MLFLOW_TRACKING_URI=http://127.0.0.1:5050 python train.py
 * ```
 */
export function registerMlflowRoutes(app: FastifyInstance, platform: Platform, options: MlflowRouteOptions): void {
  for (const { prefix, router } of mlflowRouters(platform, options)) registerRouter(app, prefix, router);
}
