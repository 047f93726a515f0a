import type { Platform } from '@cairn/core';
import { MLFLOW_API_BASES, useMlflowJson } from '../mlflow/index.js';
import type { CairnRouter, RouterMount } from '../router.js';
import { useRegistryErrors } from './mlflow-registry-route.js';
import { registeredModelRoutes } from './routes-models.js';
import { modelVersionRoutes } from './routes-versions.js';

function registryRouter(platform: Platform): CairnRouter {
  return (app) => {
    useRegistryErrors(app);
    useMlflowJson(app);
    registeredModelRoutes(app, platform);
    modelVersionRoutes(app, platform);
  };
}

/**
 * MLflow's model registry REST API (`registered-models/*`, `model-versions/*`) under
 * `/api/2.0/mlflow` and `/ajax-api/2.0/mlflow`, so `MlflowClient`'s registry calls work against
 * Cairn unchanged. Reads need `reader`, writes `editor`; errors use MLflow's `error_code`s.
 *
 * @example
 * ```ts
 * for (const { prefix, router } of mlflowRegistryRouters(platform)) registerRouter(app, prefix, router);
 * ```
 */
export function mlflowRegistryRouters(platform: Platform): RouterMount[] {
  return MLFLOW_API_BASES.map((base) => ({ prefix: `${base}/mlflow`, router: registryRouter(platform) }));
}
