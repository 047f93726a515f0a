import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

// Reverse lookups across subsystems that no service answers: which pipeline step or run a tracking
// run belongs to, and which runs used a dataset. Each subsystem migrates its own tables, so a table
// that is not there yet simply has nothing to find.

function isMissingTable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '42P01' || /no such table/i.test(err?.message ?? '');
}

async function rows<T>(query: Promise<{ rows: T[] }>): Promise<T[]> {
  try {
    return (await query).rows;
  } catch (e) {
    if (isMissingTable(e)) return [];
    throw e;
  }
}

/** Read-only queries of the lineage graph. Same SQL on SQLite and PostgreSQL. */
export class LineageGraphStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The step runs whose tracking run is `runId` (one, unless a run was reused). */
  async stepsTrackedBy(runId: string): Promise<Array<{ stepRunId: string; stepId: string }>> {
    const found = await rows(sql<{ step_run_id: string; step_id: string }>`select step_run_id, step_id from step_runs where tracking_run_id = ${runId} order by position limit 5`.execute(this.db));
    return found.map((r) => ({ stepRunId: r.step_run_id, stepId: r.step_id }));
  }

  /** The pipeline runs whose own tracking run is `runId`. */
  async pipelineRunsTrackedBy(runId: string): Promise<string[]> {
    const found = await rows(sql<{ run_id: string }>`select run_id from pipeline_runs where tracking_run_id = ${runId} limit 5`.execute(this.db));
    return found.map((r) => r.run_id);
  }

  /** The pipeline run a step run belongs to. */
  async pipelineRunOfStep(stepRunId: string): Promise<string | null> {
    const found = await rows(sql<{ run_id: string }>`select run_id from step_runs where step_run_id = ${stepRunId}`.execute(this.db));
    return found[0]?.run_id ?? null;
  }

  /** Tracking runs (newest first) that logged a dataset with this name and digest as an input. */
  async runsWithInput(name: string, digest: string, limit: number): Promise<string[]> {
    const found = await rows(sql<{ run_uuid: string }>`select i.run_uuid from run_inputs i join datasets d on d.dataset_uuid = i.dataset_uuid
      join runs r on r.run_uuid = i.run_uuid where d.name = ${name} and d.digest = ${digest} order by r.start_time desc, r.run_uuid limit ${limit}`.execute(this.db));
    return found.map((r) => r.run_uuid);
  }
}
