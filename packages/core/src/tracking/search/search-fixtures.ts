import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openMetadataDatabase, type MetadataDatabase } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { freshPostgresUri } from '../../testing/postgres.js';
import { CONTEXT_TAG, type DatasetInput, type Experiment, type Run, type RunInfo } from '../entities.js';

// Test support for the search suites: a throwaway database per backend, and entities written straight
// into its tables (the search reads tables, so the fixtures need no store).

export type SearchBackend = 'sqlite' | 'postgres';

export interface TestDatabase extends MetadataDatabase {
  cleanup(): Promise<void>;
}

/** A migrated SQLite file under the temp folder, or a fresh PostgreSQL schema. */
export async function openTestDatabase(backend: SearchBackend): Promise<TestDatabase> {
  if (backend === 'postgres') {
    const fresh = freshPostgresUri('search');
    const handle = await openMetadataDatabase(fresh.uri);
    return { ...handle, cleanup: async () => { await handle.close(); await fresh.drop(); } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cairn-search-'));
  const handle = await openMetadataDatabase(`sqlite:${join(dir, 'cairn.db')}`);
  return { ...handle, cleanup: async () => { await handle.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export interface RunSpec {
  id: string;
  name?: string;
  status?: RunInfo['status'];
  userId?: string;
  /** Mirrored as the `mlflow.parentRunId` tag; the parent need not exist. */
  parentRunId?: string | null;
  startTime?: number;
  endTime?: number | null;
  lifecycleStage?: RunInfo['lifecycleStage'];
  artifactUri?: string;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: Record<string, number>;
  /** Dataset inputs; `context` becomes the `mlflow.data.context` input tag. */
  datasets?: { name: string; digest: string; context?: string }[];
}

export function makeRun(experimentId: number, spec: RunSpec): Run {
  return {
    info: {
      runId: spec.id,
      experimentId: String(experimentId),
      runName: spec.name ?? spec.id,
      userId: spec.userId ?? 'ana',
      status: spec.status ?? 'FINISHED',
      statusReason: null,
      startTime: spec.startTime ?? 0,
      endTime: spec.endTime ?? null,
      lifecycleStage: spec.lifecycleStage ?? 'active',
      artifactUri: spec.artifactUri ?? `${experimentId}/${spec.id}/artifacts`,
      parentRunId: spec.parentRunId ?? null,
      source: { gitCommit: null, gitDirty: null, entryPoint: null, nodeVersion: null },
      lastHeartbeat: null,
    },
    data: {
      params: { ...spec.params },
      tags: { ...spec.tags },
      metrics: Object.entries(spec.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
    },
    inputs: (spec.datasets ?? []).map(
      (d): DatasetInput => ({
        dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: '{}' },
        tags: d.context === undefined ? {} : { [CONTEXT_TAG]: d.context },
      }),
    ),
  };
}

export async function createExperiment(db: Kysely<Database>, name: string, fields: Partial<Experiment> = {}): Promise<number> {
  const row = await db
    .insertInto('experiments')
    .values({
      name,
      artifact_location: name,
      lifecycle_stage: fields.lifecycleStage ?? 'active',
      creation_time: fields.creationTime ?? 0,
      last_update_time: fields.lastUpdateTime ?? 0,
    })
    .returning('experiment_id')
    .executeTakeFirstOrThrow();
  const tags = Object.entries(fields.tags ?? {});
  if (tags.length) await db.insertInto('experiment_tags').values(tags.map(([key, value]) => ({ experiment_id: row.experiment_id, key, value }))).execute();
  return row.experiment_id;
}

/** Writes runs (one experiment) with their params, tags, latest metrics and dataset inputs. */
export async function insertRuns(db: Kysely<Database>, runs: Run[]): Promise<void> {
  if (!runs.length) return;
  await db
    .insertInto('runs')
    .values(
      runs.map(({ info }) => ({
        run_uuid: info.runId,
        experiment_id: Number(info.experimentId),
        name: info.runName,
        user_id: info.userId,
        status: info.status,
        status_reason: null,
        start_time: info.startTime,
        end_time: info.endTime,
        lifecycle_stage: info.lifecycleStage,
        deleted_time: null,
        artifact_uri: info.artifactUri,
        parent_run_uuid: info.parentRunId,
        source_git_commit: null,
        source_git_dirty: null,
        source_entry_point: null,
        source_node_version: null,
        last_heartbeat: null,
      })),
    )
    .execute();
  const params = runs.flatMap((r) => Object.entries(r.data.params).map(([key, value]) => ({ run_uuid: r.info.runId, key, value })));
  if (params.length) await db.insertInto('params').values(params).execute();
  const tags = runs.flatMap((r) => Object.entries(r.data.tags).map(([key, value]) => ({ run_uuid: r.info.runId, key, value })));
  if (tags.length) await db.insertInto('run_tags').values(tags).execute();
  const metrics = runs.flatMap((r) =>
    r.data.metrics.map((m) => {
      const nan = Number.isNaN(m.value);
      return { run_uuid: r.info.runId, key: m.key, value: nan ? 0 : m.value, timestamp: m.timestamp, step: m.step, is_nan: nan ? 1 : 0 };
    }),
  );
  if (metrics.length) await db.insertInto('latest_metrics').values(metrics).execute();
  await insertInputs(db, runs);
}

async function insertInputs(db: Kysely<Database>, runs: Run[]): Promise<void> {
  const datasets = new Map<string, { dataset_uuid: string; experiment_id: number; name: string; digest: string; source_type: string; source: string }>();
  const inputs: { run_uuid: string; dataset_uuid: string; context: string | null; tags: null }[] = [];
  for (const run of runs) {
    for (const input of run.inputs) {
      const { name, digest } = input.dataset;
      const identity = JSON.stringify([run.info.experimentId, name, digest]);
      let dataset = datasets.get(identity);
      if (!dataset) {
        dataset = { dataset_uuid: `ds-${run.info.runId}-${datasets.size}`, experiment_id: Number(run.info.experimentId), name, digest, source_type: 'local', source: '{}' };
        datasets.set(identity, dataset);
      }
      inputs.push({ run_uuid: run.info.runId, dataset_uuid: dataset.dataset_uuid, context: input.tags[CONTEXT_TAG] ?? null, tags: null });
    }
  }
  if (datasets.size) await db.insertInto('datasets').values([...datasets.values()]).execute();
  if (inputs.length) await db.insertInto('run_inputs').values(inputs).execute();
}
