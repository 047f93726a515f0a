import { CairnClient, FeaturesClient, PipelinesClient, RegistryClient } from '@cairn/client';
import { loadConfig, openPlatform } from '@cairn/core';
import { HttpFeatureBackend } from './backends/http-feature-backend.js';
import { HttpPipelineBackend } from './backends/http-pipeline-backend.js';
import { HttpRegistryBackend } from './backends/http-registry-backend.js';
import { HttpTrackingBackend } from './backends/http-tracking-backend.js';
import { InProcessFeatureBackend } from './backends/in-process-feature-backend.js';
import { InProcessPipelineBackend } from './backends/in-process-pipeline-backend.js';
import { InProcessRegistryBackend } from './backends/in-process-registry-backend.js';
import { InProcessTrackingBackend } from './backends/in-process-tracking-backend.js';
import type { FeatureBackend } from './feature-backend.js';
import type { PipelineBackend } from './pipeline-backend.js';
import { isServerUri } from './server-uri.js';
import type { RegistryBackend } from './registry-backend.js';
import type { TrackingBackend } from './tracking-backend.js';

export interface BackendOptions {
  /**
   * `http(s)://…` sends everything to a Cairn server; anything else is a store URI (`sqlite:…`,
   * `postgres://…`) opened in this process. Defaults to `CAIRN_TRACKING_URI`, then the project's
   * configured store (`cairn.yaml`, `CAIRN_STORE_URI`, or `sqlite:.cairn/cairn.db`).
   */
  uri?: string;
  /** API token for a server; defaults to `CAIRN_TRACKING_TOKEN`. */
  token?: string;
  /** Folder to find `cairn.yaml` from; defaults to the current directory. */
  cwd?: string;
  /** An explicit config file, instead of looking for `cairn.yaml`. */
  configFile?: string;
  /** Environment to read `CAIRN_*` variables from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place that picks a tracking backend: a server URI gets the HTTP backend, anything else
 * the embedded store opened from the project's config.
 *
 * @example
 * ```ts
 * const backend = await openTrackingBackend({ uri: 'http://127.0.0.1:5050' });
 * ```
 */
export async function openTrackingBackend(options: BackendOptions = {}): Promise<TrackingBackend> {
  return (await openBackends(options)).tracking;
}

/** The tracking backend and, on the same connection or platform, the registry's, pipelines' and feature store's. */
export interface OpenedBackends {
  tracking: TrackingBackend;
  registry: RegistryBackend;
  pipelines: PipelineBackend;
  features: FeatureBackend;
}

/**
 * Like {@link openTrackingBackend}, and also the registry, pipeline and feature backends of the same
 * destination (the platform opened in-process, or the same server and token).
 *
 * @example
 * ```ts
 * const { tracking, registry } = await openBackends({ uri: 'http://127.0.0.1:5050' });
 * ```
 */
export async function openBackends(options: BackendOptions = {}): Promise<OpenedBackends> {
  const env = options.env ?? process.env;
  const uri = options.uri ?? (env.CAIRN_TRACKING_URI || undefined);
  if (uri && isServerUri(uri)) {
    const client = { baseUrl: uri, token: options.token ?? (env.CAIRN_TRACKING_TOKEN || undefined) };
    return {
      tracking: new HttpTrackingBackend(new CairnClient(client)),
      registry: new HttpRegistryBackend(new RegistryClient(client)),
      pipelines: new HttpPipelineBackend(new PipelinesClient(client)),
      features: new HttpFeatureBackend(new FeaturesClient(client)),
    };
  }
  const config = loadConfig({ cwd: options.cwd, file: options.configFile, env, overrides: uri ? { store: { uri } } : {} });
  const platform = await openPlatform(config);
  const tracking = new InProcessTrackingBackend(platform, {
    location: config.store.uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'),
    heartbeatTimeoutSeconds: config.tracking.heartbeat_timeout_seconds,
    close: () => platform.close(),
  });
  // No server reaps an embedded store's dead runs, so whoever opens it does: `cairn runs list`
  // then shows a run whose process died as KILLED, with the reason.
  await tracking.sweepStaleRuns().catch((e: unknown) => {
    process.emitWarning(`Cairn: could not end runs whose heartbeat lapsed: ${(e as Error).message}`, { code: 'CAIRN_HEARTBEAT_SWEEP' });
  });
  return {
    tracking,
    registry: new InProcessRegistryBackend(platform.registry),
    pipelines: new InProcessPipelineBackend(platform.pipelines),
    features: new InProcessFeatureBackend(platform.features),
  };
}
