import type { ArtifactRecord, AttemptStatus, CacheParts, CacheStatus, PipelineRun, PipelineRunStatus, Schedule, StepAttempt, StepRun, StepStatus, ValueKind } from '../entities.js';
import type { PipelineArtifactRow, PipelineRunRow, PipelineScheduleRow, StepAttemptRow, StepRunRow } from './pipeline-tables.js';

const parse = <T>(text: string | null, fallback: T): T => (text == null ? fallback : (JSON.parse(text) as T));

export function toPipelineRun(r: PipelineRunRow): PipelineRun {
  return {
    runId: r.run_id,
    pipelineName: r.pipeline_name,
    status: r.status as PipelineRunStatus,
    statusReason: r.status_reason,
    params: parse(r.params, {}),
    source: r.source_file ? { file: r.source_file, exportName: r.export_name } : null,
    executor: r.executor,
    experimentId: r.experiment_id == null ? null : String(r.experiment_id),
    trackingRunId: r.tracking_run_id,
    noCache: r.no_cache === 1,
    stepCount: r.step_count,
    createdTime: r.created_time,
    endTime: r.end_time,
    heartbeatTime: r.heartbeat_time,
    cancelRequested: r.cancel_requested === 1,
    resumeCount: r.resume_count,
    runner: r.runner,
  };
}

export function toStepRun(r: StepRunRow): StepRun {
  return {
    stepRunId: r.step_run_id,
    runId: r.run_id,
    stepId: r.step_id,
    stepName: r.step_name,
    kind: r.kind as StepRun['kind'],
    position: r.position,
    status: r.status as StepStatus,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    startTime: r.start_time,
    endTime: r.end_time,
    error: r.error_message == null ? null : { message: r.error_message, stack: r.error_stack },
    cache: {
      key: r.cache_key,
      parts: parse<CacheParts | null>(r.cache_parts, null),
      status: r.cache_status as CacheStatus | null,
      note: r.cache_note,
      cachedFrom: r.cached_from,
    },
    trackingRunId: r.tracking_run_id,
    worker: r.worker,
    upstream: parse(r.upstream, []),
    bindings: parse(r.bindings, {}),
  };
}

export function toStepAttempt(r: StepAttemptRow & { step_id: string }): StepAttempt {
  return {
    stepRunId: r.step_run_id,
    stepId: r.step_id,
    attempt: r.attempt,
    status: r.status as AttemptStatus,
    startTime: r.start_time,
    endTime: r.end_time,
    error: r.error_message,
    worker: r.worker,
    processGroup: r.process_group,
  };
}

export function toArtifact(r: PipelineArtifactRow): ArtifactRecord {
  return {
    artifactId: r.artifact_id,
    digest: r.digest,
    materializer: r.materializer,
    kind: r.kind as ValueKind,
    uri: r.uri,
    size: r.size,
    fileCount: r.file_count,
    createdTime: r.created_time,
  };
}

export function toSchedule(r: PipelineScheduleRow): Schedule {
  return {
    scheduleId: r.schedule_id,
    name: r.name,
    pipelineName: r.pipeline_name,
    source: { file: r.source_file, exportName: r.export_name },
    cron: r.cron,
    timezone: r.timezone,
    params: parse(r.params, {}),
    enabled: r.enabled === 1,
    createdTime: r.created_time,
    lastTickTime: r.last_tick_time,
  };
}
