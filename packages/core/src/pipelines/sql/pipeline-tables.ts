import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

// Row shapes of the pipeline tables (migrations 0004-pipelines and 0006-pipeline-attempts). Only the stores in this folder see
// them; times are epoch milliseconds, booleans 0/1, JSON is text.

export interface PipelineRunRow {
  run_id: string;
  pipeline_name: string;
  status: string;
  status_reason: string | null;
  params: string;
  source_file: string | null;
  export_name: string | null;
  executor: string;
  experiment_id: number | null;
  tracking_run_id: string | null;
  no_cache: number;
  step_count: number;
  created_time: number;
  end_time: number | null;
  heartbeat_time: number | null;
  owner_token: string | null;
  cancel_requested: number;
  resume_count: number;
  /** `host:pid` of the process running the run (migration 0006). */
  runner: string | null;
}

export interface StepRunRow {
  step_run_id: string;
  run_id: string;
  step_id: string;
  step_name: string;
  kind: string;
  position: number;
  status: string;
  attempt: number;
  max_attempts: number;
  start_time: number | null;
  end_time: number | null;
  error_message: string | null;
  error_stack: string | null;
  cache_key: string | null;
  cache_parts: string | null;
  cache_status: string | null;
  cache_note: string | null;
  cached_from: string | null;
  tracking_run_id: string | null;
  dispatch_token: string | null;
  claim_token: string | null;
  worker: string | null;
  lease_time: number | null;
  upstream: string;
  bindings: string;
}

export interface StepAttemptRow {
  step_run_id: string;
  attempt: number;
  status: string;
  start_time: number;
  end_time: number | null;
  error_message: string | null;
  worker: string | null;
  process_group: number | null;
}

export interface PipelineArtifactRow {
  artifact_id: string;
  digest: string;
  materializer: string;
  kind: string;
  uri: string;
  size: number;
  file_count: number;
  created_time: number;
}

export interface ArtifactLinkRow {
  step_run_id: string;
  direction: string;
  name: string;
  artifact_id: string;
}

export interface StepLogRow {
  step_run_id: string;
  attempt: number;
  seq: number;
  stream: string;
  time: number;
  text: string;
}

export interface PipelineDefinitionRow {
  name: string;
  source_file: string | null;
  export_name: string | null;
  params: string;
  step_count: number;
  updated_time: number;
}

export interface PipelineScheduleRow {
  schedule_id: string;
  name: string;
  pipeline_name: string;
  source_file: string;
  export_name: string | null;
  cron: string;
  timezone: string;
  params: string;
  enabled: number;
  created_time: number;
  last_tick_time: number | null;
}

export interface ScheduleTickRow {
  schedule_id: string;
  tick_time: number;
  run_id: string | null;
  fired_time: number;
  error: string | null;
  /** The scheduler holding the claim until the tick's run exists, and when it last said so. */
  claim_token: string | null;
  lease_time: number | null;
}

export type PipelineTables = {
  pipeline_runs: PipelineRunRow;
  step_runs: StepRunRow;
  step_attempts: StepAttemptRow;
  pipeline_artifacts: PipelineArtifactRow;
  artifact_links: ArtifactLinkRow;
  step_logs: StepLogRow;
  pipeline_definitions: PipelineDefinitionRow;
  pipeline_schedules: PipelineScheduleRow;
  schedule_ticks: ScheduleTickRow;
};

export type PipelineDb = Kysely<Database & PipelineTables>;

/** The metadata database seen with the pipeline tables added. */
export function pipelineDb(db: Kysely<Database>): PipelineDb {
  return db.withTables<PipelineTables>();
}

/** Rows changed by an update or delete, on either dialect. */
export function changed(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number {
  return Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n);
}
