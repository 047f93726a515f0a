import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { registryAliasRoutes } from './registry-aliases.js';
import { registryAuditRoutes } from './registry-audit.js';
import { registryFileRoutes } from './registry-files.js';
import { registryModelRoutes } from './registry-models.js';
import { registryVersionRoutes } from './registry-versions.js';
import { modelMonitoringRoutes } from './model-monitoring.js';

/**
 * The model registry's `/api/v1` routers: models, versions, version files (raw bodies, in a scope of
 * their own), aliases and gates, audit and webhooks, and each model's monitoring overview. Mount each under `/api/v1`.
 *
 * @example
 * ```ts
 * for (const router of registryRouters(platform, { maxUploadBytes })) registerRouter(app, '/api/v1', router);
 * ```
 */
export function registryRouters(platform: Platform, options: { maxUploadBytes: number }): CairnRouter[] {
  return [registryModelRoutes(platform), registryVersionRoutes(platform), registryFileRoutes(platform, options), registryAliasRoutes(platform), registryAuditRoutes(platform), modelMonitoringRoutes(platform)];
}
