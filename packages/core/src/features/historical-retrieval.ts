import { randomUUID } from 'node:crypto';
import { invalid } from '../errors.js';
import type { TrainingDataset } from './entities.js';
import { resolveFeatures, type FeatureSelectionInput } from './feature-resolution.js';
import { onDemandRowFunction, type OnDemandCode } from './on-demand.js';
import type { EntitySource, OfflineStore, RetrievalJob, ViewRequest } from './offline/offline-store.js';
import type { FeatureRegistry } from './registry/feature-registry.js';

export interface GetHistoricalFeaturesInput extends FeatureSelectionInput {
  /** Entity rows in memory, a CSV/Parquet file (`{ file }`) or a DuckDB query (`{ sql }`). */
  entities: Array<Record<string, unknown>> | { file: string } | { sql: string };
  /** Entity column with the lookup time (default `event_timestamp`). */
  timestampColumn?: string;
  /** Only use feature rows created at or before each lookup time. */
  filterByCreatedTimestamp?: boolean;
  /** Name of the training dataset record. */
  name?: string;
}

/** A point-in-time-correct training set: its record, and its rows held by the offline store until `close`. */
export interface TrainingSet {
  dataset: TrainingDataset;
  job: RetrievalJob;
}

/**
 * Runs the point-in-time join for the requested features (on-demand views computed row by row
 * afterwards), orders columns as requested, and describes the result as a training dataset.
 */
export async function retrieveHistorical(
  registry: FeatureRegistry, offline: OfflineStore, code: OnDemandCode, input: GetHistoricalFeaturesInput, now: () => number,
): Promise<TrainingSet> {
  const resolved = await resolveFeatures(registry, input);
  const registryVersion = resolved.registryVersion;
  const hidden = (view: string, feature: string) => `__in_${view}__${feature}`;
  const columnOf = (view: string, feature: string) => resolved.outputs.find((o) => o.view === view && o.feature === feature && !o.onDemand)?.column ?? hidden(view, feature);
  const views: ViewRequest[] = [...resolved.views.values()].map((v) => ({
    view: v.stored.spec, features: v.features.map((f) => ({ feature: f, column: columnOf(v.stored.name, f) })),
  }));
  const entities: EntitySource = Array.isArray(input.entities) ? { rows: input.entities } : input.entities;
  if (!Array.isArray(input.entities) && !('file' in input.entities) && !('sql' in input.entities)) throw invalid('entities must be rows, { file } or { sql }.');
  const job = await offline.getHistoricalFeatures({
    entities, timestampColumn: input.timestampColumn ?? 'event_timestamp', views, filterByCreatedTimestamp: !!input.filterByCreatedTimestamp,
    featureOrder: resolved.onDemand.length ? undefined : resolved.outputs.map((o) => o.column),
  });
  try {
    const entityColumns = job.columns.map((c) => c.name).filter((n) => !views.some((v) => v.features.some((f) => f.column === n)));
    for (const o of resolved.onDemand) {
      const fn = await onDemandRowFunction(code, o.stored);
      const spec = o.stored.spec;
      for (const r of spec.request) if (!entityColumns.includes(r.name)) throw invalid(`The entity rows have no '${r.name}' column, a request field of on-demand view '${spec.name}'.`);
      const inputCols = [...spec.request.map((r) => r.name), ...spec.inputs.map((i) => columnOf(i.view, i.feature))];
      const names = [...spec.request.map((r) => r.name), ...spec.inputs.map((i) => i.feature)];
      await job.addComputedColumns(inputCols, o.outputs.map((x) => ({ name: x.column, type: x.type })), (row) => {
        const out = fn(Object.fromEntries(names.map((n, i) => [n, row[inputCols[i]!] instanceof Date ? (row[inputCols[i]!] as Date).getTime() : row[inputCols[i]!]])), Number(row.__row));
        return Object.fromEntries(o.outputs.map((x) => [x.column, out[x.feature]]));
      });
    }
    const order = [...entityColumns, ...resolved.outputs.map((o) => o.column)];
    if (order.length !== new Set(order).size) throw invalid(`A feature column has the name of an entity column (${order.filter((c, i) => order.indexOf(c) !== i).join(', ')}). Set fullFeatureNames or rename the entity column.`);
    // Rebuilding the result costs a copy; it is needed only for on-demand outputs and hidden inputs.
    if (job.columns.map((c) => c.name).join('\0') !== order.join('\0')) await job.project(order);
    const features = resolved.outputs.map((o) => `${o.view}:${o.feature}`);
    const datasetId = randomUUID().replace(/-/g, '');
    const dataset: TrainingDataset = {
      datasetId, name: input.name ?? (resolved.service ? `${resolved.service.name}-v${resolved.service.version}` : `training-set-${datasetId.slice(0, 8)}`),
      createdTime: now(), registryVersion, definitions: resolved.definitions, features, featureService: resolved.service?.name ?? null,
      entityDigest: job.entityDigest, resultDigest: await job.resultDigest(), rowCount: job.rowCount, runId: null,
    };
    return { dataset, job };
  } catch (e) {
    await job.close();
    throw e;
  }
}
