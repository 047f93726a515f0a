// Public surface of the pipeline orchestrator (docs/pipelines.md).
export * from './entities.js';
export { step, pipeline, output, isPipeline, isStep, stepDefinition, type Step, type StepNode, type StepInputs, type Input, type Ref, type Pipeline, type PipelineOptions, type FunctionStepOptions, type StepFunction, type InputsOf, type OutputsOf, type CallOptions, type DagSpec, type ParamRefs } from './define.js';
export { commandStep, type CommandStepOptions } from './command-step.js';
export { param, resolveParams, type ParamSpec, type ParamSpecs, type ParamType, type ParamValues } from './params.js';
export { file, folder, model, table, type FileArtifact, type FolderArtifact, type ModelArtifact, type Table, type Row, type ArtifactValue } from './artifact-values.js';
export type { StepContext } from './runtime/step-context.js';
export type { StepOptions, RetryOptions, Resources, Isolation } from './step-definition.js';
export { validateDag, type Dag, type DagNode } from './dag.js';
export { PipelineService, type StartRunOptions, type RunHandle, type PipelineServiceDeps } from './pipeline-service.js';
export type { FollowLogsInput, ListPipelineRunsInput, ReadLogsInput, StepLogPage } from './pipeline-queries.js';
export type { CacheExplanation } from './cache/explain.js';
export type { Executor, StepTask, StepOutcome, RunningWorker } from './executors/executor.js';
export { loadPipelineFile, pipelinesIn, type FoundPipeline } from './runtime/pipeline-loader.js';
export { loadRunConfig, type RunConfig } from './run-config.js';
export type { ScheduleInfo, ScheduleTick, AddScheduleInput } from './scheduler/schedule-service.js';
export type { FiredTick, PipelineScheduler } from './scheduler/scheduler.js';
