import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { isUniqueViolation, type Dialect } from '../../db/database.js';
import type { Database, RunRow } from '../../db/schema.js';
import { CairnError, invalid, notFound } from '../../errors.js';
import {
  CONTEXT_TAG,
  type DatasetInput,
  type Metric,
  type MetricSeries,
  type Param,
  type Run,
  type RunInfo,
  type Tag,
} from '../entities.js';
import { decodeSegments, normalizePoints, toSeries } from './metric-segments.js';
import { latestPerKey, writeMetrics } from './metric-writes.js';
import { tagsOf, toDatasetInput, toMetric, toRunInfo } from './row-mappers.js';

export type NewRun = Omit<RunRow, 'run_uuid'> & { run_uuid?: string };

/** SQL persistence of runs, their params, tags, metrics and dataset inputs. */
export class RunStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect) {}

  async create(row: NewRun, tags: Tag[], params: Param[]): Promise<string> {
    const run_uuid = row.run_uuid ?? randomUUID().replaceAll('-', '');
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('runs').values({ ...row, run_uuid }).execute();
      if (tags.length) await trx.insertInto('run_tags').values(tags.map((t) => ({ run_uuid, ...t }))).execute();
      if (params.length) await trx.insertInto('params').values(params.map((p) => ({ run_uuid, ...p }))).execute();
    });
    return run_uuid;
  }

  /** Inserts several runs with their tags and params in one transaction. */
  async createMany(runs: Array<{ row: NewRun & { run_uuid: string }; tags: Tag[]; params: Param[] }>): Promise<void> {
    // Chunked so one statement stays far below both dialects' bind-parameter limits.
    const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
    const tags = runs.flatMap((r) => r.tags.map((t) => ({ run_uuid: r.row.run_uuid, ...t })));
    const params = runs.flatMap((r) => r.params.map((p) => ({ run_uuid: r.row.run_uuid, ...p })));
    await this.db.transaction().execute(async (trx) => {
      for (const c of chunks(runs.map((r) => r.row), 500)) await trx.insertInto('runs').values(c).execute();
      for (const c of chunks(tags, 2000)) await trx.insertInto('run_tags').values(c).execute();
      for (const c of chunks(params, 2000)) await trx.insertInto('params').values(c).execute();
    });
  }

  async getInfo(runId: string): Promise<RunInfo | null> {
    const row = await this.db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
    return row ? toRunInfo(row) : null;
  }

  /** Loads whole runs (params, tags, latest metrics, inputs) in the order of `ids`, with one query per table. */
  async getMany(ids: string[]): Promise<Run[]> {
    if (!ids.length) return [];
    const out: Run[] = [];
    // Bounded IN lists keep both dialects far below their bind-parameter limits.
    for (let i = 0; i < ids.length; i += 500) out.push(...(await this.loadChunk(ids.slice(i, i + 500))));
    return out;
  }

  private async loadChunk(ids: string[]): Promise<Run[]> {
    const [rows, params, tags, metrics, inputs] = await Promise.all([
      this.db.selectFrom('runs').selectAll().where('run_uuid', 'in', ids).execute(),
      this.db.selectFrom('params').selectAll().where('run_uuid', 'in', ids).execute(),
      this.db.selectFrom('run_tags').selectAll().where('run_uuid', 'in', ids).execute(),
      this.db.selectFrom('latest_metrics').selectAll().where('run_uuid', 'in', ids).orderBy('key').execute(),
      this.db
        .selectFrom('run_inputs')
        .innerJoin('datasets', 'datasets.dataset_uuid', 'run_inputs.dataset_uuid')
        .selectAll('datasets')
        .select(['run_inputs.run_uuid', 'run_inputs.context', 'run_inputs.tags'])
        .where('run_inputs.run_uuid', 'in', ids)
        .orderBy('datasets.name')
        .execute(),
    ]);
    const group = <T extends { run_uuid: string }>(list: T[]) => {
      const m = new Map<string, T[]>();
      for (const x of list) (m.get(x.run_uuid) ?? m.set(x.run_uuid, []).get(x.run_uuid)!).push(x);
      return m;
    };
    const [p, t, mt, inp] = [group(params), group(tags), group(metrics), group(inputs)];
    const byId = new Map(rows.map((r) => [r.run_uuid, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      return [{
        info: toRunInfo(r),
        data: {
          params: tagsOf(p.get(id) ?? []),
          tags: tagsOf(t.get(id) ?? []),
          metrics: (mt.get(id) ?? []).map(toMetric),
        },
        inputs: (inp.get(id) ?? []).map((x) => toDatasetInput(x, x)),
      }];
    });
  }

  async update(runId: string, set: Partial<Pick<RunRow, 'status' | 'end_time' | 'name' | 'status_reason' | 'lifecycle_stage' | 'deleted_time' | 'last_heartbeat'>>): Promise<void> {
    const r = await this.db.updateTable('runs').set(set).where('run_uuid', '=', runId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound(`Run '${runId}'`, '', { entity: 'run', id: runId });
  }

  /**
   * Writes metrics, params and tags in one transaction: all of it or none. A param that already holds
   * a different value fails the whole batch.
   */
  async logBatch(runId: string, metrics: Metric[], params: Param[], tags: Tag[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await assertActive(trx, runId);
      if (params.length) await writeParams(trx, runId, params);
      if (tags.length) {
        // Sorted keys keep concurrent writers locking rows in the same order (no deadlocks on PostgreSQL).
        for (const tag of [...latestTags(tags)].sort((a, b) => (a.key < b.key ? -1 : 1))) {
          await trx
            .insertInto('run_tags')
            .values({ run_uuid: runId, key: tag.key, value: tag.value })
            .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet({ value: tag.value }))
            .execute();
        }
      }
      if (metrics.length) await writeMetrics(trx, runId, metrics, latestPerKey(metrics));
    });
  }

  async deleteTag(runId: string, key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('run_tags').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * One metric's history in (step, timestamp, value) order without exact duplicates, from `offset`.
   * The segments are read in one query; see metric-segments.ts for why history is stored packed.
   */
  async metricSeries(runId: string, key: string, offset: number, limit: number): Promise<MetricSeries> {
    // pg hands bytea over as hex text, twice the bytes; base64 is a third smaller and cheaper to decode.
    const data = this.dialect === 'postgres' ? sql<string>`encode(data, 'base64')`.as('data') : sql<Buffer>`data`.as('data');
    const rows = await this.db
      .selectFrom('metric_segments')
      .select(['n', data])
      .where('run_uuid', '=', runId)
      .where('key', '=', key)
      .orderBy('seq')
      .execute();
    const segments = rows.map((r) => ({ n: r.n, data: typeof r.data === 'string' ? Buffer.from(r.data, 'base64') : r.data }));
    return toSeries(key, normalizePoints(decodeSegments(segments)), offset, limit);
  }

  async logInputs(runId: string, experimentId: number, inputs: DatasetInput[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await assertActive(trx, runId);
      for (const input of inputs) {
        const ds = input.dataset;
        const datasetId = await upsertDataset(trx, experimentId, ds);
        const { [CONTEXT_TAG]: context, ...rest } = input.tags;
        await trx
          .insertInto('run_inputs')
          .values({ run_uuid: runId, dataset_uuid: datasetId, context: context ?? null, tags: Object.keys(rest).length ? JSON.stringify(rest) : null })
          .onConflict((oc) => oc.columns(['run_uuid', 'dataset_uuid']).doUpdateSet({ context: context ?? null, tags: Object.keys(rest).length ? JSON.stringify(rest) : null }))
          .execute();
      }
    });
  }

  /** Marks RUNNING runs whose heartbeat is older than `cutoff` KILLED; returns their ids. */
  async killStale(cutoff: number, now: number, reason: string): Promise<string[]> {
    const stale = await this.db
      .selectFrom('runs')
      .select('run_uuid')
      .where('status', '=', 'RUNNING')
      .where('last_heartbeat', 'is not', null)
      .where('last_heartbeat', '<', cutoff)
      .execute();
    const ids = stale.map((r) => r.run_uuid);
    if (ids.length) {
      await this.db
        .updateTable('runs')
        .set({ status: 'KILLED', end_time: now, status_reason: reason })
        .where('run_uuid', 'in', ids)
        .where('status', '=', 'RUNNING')
        .where('last_heartbeat', '<', cutoff)
        .execute();
    }
    return ids;
  }
}

async function assertActive(trx: Transaction<Database>, runId: string): Promise<void> {
  // A template, not a builder chain: this runs for every logged batch.
  const [run] = (await sql<{ lifecycle_stage: string }>`select lifecycle_stage from runs where run_uuid = ${runId}`.execute(trx)).rows;
  if (!run) throw notFound(`Run '${runId}'`, 'Check the id with `cairn runs list`.', { entity: 'run', id: runId });
  if (run.lifecycle_stage !== 'active') throw new CairnError('FAILED_PRECONDITION', `Run '${runId}' is deleted; restore it before logging to it.`, {
      details: { entity: 'run', id: runId, lifecycleStage: run.lifecycle_stage },
    });
}

async function writeParams(trx: Transaction<Database>, runId: string, params: Param[]): Promise<void> {
  const unique = new Map<string, string>();
  for (const p of params) {
    const prev = unique.get(p.key);
    if (prev !== undefined && prev !== p.value) throw paramConflict(p.key, prev, p.value);
    unique.set(p.key, p.value);
  }
  const rows = [...unique].map(([key, value]) => ({ run_uuid: runId, key, value }));
  for (let i = 0; i < rows.length; i += 500) {
    await trx.insertInto('params').values(rows.slice(i, i + 500)).onConflict((oc) => oc.doNothing()).execute();
  }
  // Params are immutable: re-read what is stored (a concurrent writer may have won) and compare.
  const keys = [...unique.keys()];
  for (let i = 0; i < keys.length; i += 500) {
    const stored = await trx.selectFrom('params').select(['key', 'value']).where('run_uuid', '=', runId).where('key', 'in', keys.slice(i, i + 500)).execute();
    for (const s of stored) {
      const wanted = unique.get(s.key)!;
      if (s.value !== wanted) throw paramConflict(s.key, s.value, wanted);
    }
  }
}

function paramConflict(key: string, old: string, value: string) {
  return invalid(`Param '${key}' already has the value '${old}' and params cannot change (tried '${value}'). Log a new param or start a new run.`, { field: key });
}

function latestTags(tags: Tag[]): Tag[] {
  const m = new Map<string, string>();
  for (const t of tags) m.set(t.key, t.value);
  return [...m].map(([key, value]) => ({ key, value }));
}

async function upsertDataset(trx: Transaction<Database>, experimentId: number, ds: DatasetInput['dataset']): Promise<string> {
  const find = () =>
    trx.selectFrom('datasets').select('dataset_uuid').where('experiment_id', '=', experimentId).where('name', '=', ds.name).where('digest', '=', ds.digest).executeTakeFirst();
  const existing = await find();
  if (existing) return existing.dataset_uuid;
  const dataset_uuid = randomUUID().replaceAll('-', '');
  try {
    await trx
      .insertInto('datasets')
      .values({ dataset_uuid, experiment_id: experimentId, name: ds.name, digest: ds.digest, source_type: ds.sourceType, source: ds.source, schema: ds.schema ?? null, profile: ds.profile ?? null })
      .onConflict((oc) => oc.columns(['experiment_id', 'name', 'digest']).doNothing())
      .execute();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  return (await find())?.dataset_uuid ?? dataset_uuid;
}
