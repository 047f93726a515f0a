// The Cairn SDK: track experiments from TypeScript, against the embedded store or a server.
export { Cairn, type ConnectOptions, type RunOptions } from './sdk/cairn.js';
export { ActiveRun, type ParamValue } from './sdk/active-run.js';
export { ExperimentQueries } from './sdk/experiment-queries.js';
export { RunQueries, type RunSearchOptions } from './sdk/run-queries.js';
export type { TrackingBackend, ArtifactSource } from './sdk/tracking-backend.js';
export { InProcessTrackingBackend, type InProcessServices, type InProcessOptions } from './sdk/backends/in-process-tracking-backend.js';
export { HttpTrackingBackend } from './sdk/backends/http-tracking-backend.js';
export { openTrackingBackend, type BackendOptions } from './sdk/open-backend.js';
export { isServerUri } from './sdk/server-uri.js';
export { detectRunSource } from './sdk/run-source.js';
export { CairnError, isCairnError, type ErrorCode } from '@cairn/core/errors';
export { ModelQueries, type RegisterOptions, type DownloadResult } from './sdk/models.js';
export type { RegistryBackend, AliasOverride } from './sdk/registry-backend.js';
export { InProcessRegistryBackend } from './sdk/backends/in-process-registry-backend.js';
export { HttpRegistryBackend } from './sdk/backends/http-registry-backend.js';
export { openBackends, type OpenedBackends } from './sdk/open-backend.js';
export type { Quickstart } from './commands/start-summary.js';
export { PipelineQueries, type FollowLogsOptions } from './sdk/pipelines.js';
export type { PipelineBackend } from './sdk/pipeline-backend.js';
export { InProcessPipelineBackend } from './sdk/backends/in-process-pipeline-backend.js';
export { HttpPipelineBackend } from './sdk/backends/http-pipeline-backend.js';
export { FeatureQueries } from './sdk/features.js';
export type { FeatureBackend } from './sdk/feature-backend.js';
export { InProcessFeatureBackend } from './sdk/backends/in-process-feature-backend.js';
export { HttpFeatureBackend } from './sdk/backends/http-feature-backend.js';
// Definitions, so a project needs one import: pipelines and steps, and feature store objects.
export {
  step, pipeline, commandStep, output, param, table, file, folder, model,
  type Step, type Pipeline, type Ref, type Table, type Row, type StepContext, type FileArtifact, type FolderArtifact, type ModelArtifact,
  entity, fileSource, postgresSource, pushSource, featureView, onDemandFeatureView, featureService,
} from '@cairn/core';
