import { sql, type Kysely } from 'kysely';
import { CairnError, invalid } from '../errors.js';
import type { RunService } from '../tracking/run-service.js';
import type { Definition } from './define.js';
import type {
  ApplyResult, FeatureViewSpec, Field, MaterializationOutcome, MaterializationRun, ObjectKind, OnlineFeaturesResult, OnlineFeaturesText, Plan, PushSourceSpec, StoredObject, TrainingDataset,
} from './entities.js';
import { FeatureCatalog } from './catalog/feature-catalog.js';
import { cachedResolver, type FeatureSelectionInput } from './feature-resolution.js';
import { retrieveHistorical, type GetHistoricalFeaturesInput, type TrainingSet } from './historical-retrieval.js';
import { loadDefinitions } from './load-definitions.js';
import { checkWindow, materializeAll, type MaterializeOptions } from './materializer.js';
import { onDemandCodeFrom, type OnDemandCode } from './on-demand.js';
import type { OfflineStore } from './offline/offline-store.js';
import { encodeEntityKey, encodeValues, type OnlineStore } from './online/online-store.js';
import { getOnlineFeatures, getOnlineFeaturesJson, getOnlineFeaturesText, viewKeyspace, type GetOnlineFeaturesInput } from './online-serving.js';
import { FeatureRegistry } from './registry/feature-registry.js';
import { FeatureRegistryStore } from './sql/feature-registry-store.js';
import { FeatureRunsStore } from './sql/feature-runs-store.js';
import type { FeatureTables } from './sql/rows.js';
import { coerceValue } from './value-types.js';
import type { FeatureProfile } from './stats/training-profile.js';

export interface FeatureServiceDeps {
  db: Kysely<FeatureTables>;
  /** Opened on first use (DuckDB is loaded only by commands that need it). */
  offline: () => Promise<OfflineStore>;
  online: () => Promise<OnlineStore>;
  /** The project's definitions folder (`features.dir`). */
  definitionsDir: string;
  runs?: RunService;
  registryRefreshMs?: number;
  now?: () => number;
}

/**
 * The feature store: definitions (plan/apply), point-in-time training sets, materialization,
 * push, and online serving. The one API the CLI, the server and the SDK call.
 *
 * @example
 * ```ts
 * await platform.features.apply();
 * const set = await platform.features.getHistoricalFeatures({ entities: rows, featureService: 'ranking' });
 * await platform.features.materializeIncremental(Date.now());
 * const online = await platform.features.getOnlineFeatures({ entities: [{ driver_id: 1001 }], featureService: 'ranking' });
 * ```
 */
export class FeatureService {
  readonly registry: FeatureRegistry;
  /** Read-only views for browsing (the web UI): freshness, statistics, expectation results, history. */
  readonly catalog: FeatureCatalog;
  private readonly runsStore: FeatureRunsStore;
  private readonly now: () => number;
  private readonly code: OnDemandCode;
  private readonly resolve: ReturnType<typeof cachedResolver>;
  private offlineStore: Promise<OfflineStore> | null = null;
  private onlineStore: Promise<OnlineStore> | null = null;

  constructor(private readonly deps: FeatureServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.runsStore = new FeatureRunsStore(deps.db);
    this.registry = new FeatureRegistry(new FeatureRegistryStore(deps.db), { now: this.now, refreshMs: deps.registryRefreshMs, consumers: (s) => this.consumers(s) });
    this.code = onDemandCodeFrom(() => this.loadDefinitions());
    this.resolve = cachedResolver(this.registry);
    this.catalog = new FeatureCatalog(this.registry, this.runsStore, (s) => this.consumers(s), this.now);
  }

  private offline(): Promise<OfflineStore> {
    return (this.offlineStore ??= this.deps.offline().catch((e: unknown) => { this.offlineStore = null; throw e; }));
  }

  private online(): Promise<OnlineStore> {
    return (this.onlineStore ??= this.deps.online().catch((e: unknown) => { this.onlineStore = null; throw e; }));
  }

  /** Imports the definition files of the project (`features.dir`). */
  async loadDefinitions(): Promise<Definition[]> {
    return loadDefinitions(this.deps.definitionsDir);
  }

  /** What `apply` would change; reads the project's definition files unless `definitions` are given. */
  async plan(options: { definitions?: Definition[] } = {}): Promise<Plan> {
    return this.registry.plan(options.definitions ?? (await this.loadDefinitions()));
  }

  /** Stores the definitions as a new registry version; `force` accepts changes that break feature services. */
  async apply(options: { definitions?: Definition[]; force?: boolean } = {}): Promise<ApplyResult> {
    const result = await this.registry.apply(options.definitions ?? (await this.loadDefinitions()), { force: options.force });
    if (result.applied) await this.dropStaleOnline(result);
    return result;
  }

  // Online rows of a view that was removed, taken offline, re-keyed or given another schema no
  // longer fit its definition. They are dropped once the registry has committed, and the watermark
  // is forgotten so the next incremental run fills the view again.
  private async dropStaleOnline(result: ApplyResult): Promise<void> {
    const stale: FeatureViewSpec[] = [];
    for (const c of result.changes) {
      if (c.kind !== 'featureView' || c.fromVersion === null) continue;
      const before = (await this.registry.getObjectVersion('featureView', c.name, c.fromVersion))?.spec as FeatureViewSpec | undefined;
      if (!before) continue;
      const after = c.change === 'removed' ? null : (await this.registry.getObjectVersion('featureView', c.name, c.fromVersion + 1))?.spec as FeatureViewSpec | undefined;
      const same = (a: Field[], b: Field[]) => JSON.stringify(a) === JSON.stringify(b);
      if (!after || !after.online || !same(before.joinKeys, after.joinKeys) || !same(before.features, after.features)) stale.push(before);
    }
    if (!stale.length) return;
    const online = await this.online();
    for (const v of stale) {
      await online.deleteView(v.name, viewKeyspace(v));
      await this.runsStore.clearWatermark(v.name);
    }
  }

  async list(kind?: ObjectKind, atVersion?: number): Promise<StoredObject[]> {
    return this.registry.list(kind, atVersion);
  }

  /** Point-in-time-correct features for entity rows, recorded as a training dataset (and a run input when `runId` is given). */
  async getHistoricalFeatures(input: GetHistoricalFeaturesInput & { runId?: string }): Promise<TrainingSet> {
    const set = await retrieveHistorical(this.registry, await this.offline(), this.code, input, this.now);
    try {
      set.dataset.runId = input.runId ?? null;
      await this.runsStore.insertDataset(set.dataset);
      await this.recordStatistics(set);
      if (input.runId) {
        const d = set.dataset;
        await this.deps.runs?.logInputs(input.runId, [{
          dataset: {
            name: d.name, digest: d.resultDigest, sourceType: 'cairn-training-set',
            source: JSON.stringify({ datasetId: d.datasetId, registryVersion: d.registryVersion, definitions: d.definitions, featureService: d.featureService, entityDigest: d.entityDigest }),
            schema: JSON.stringify({ columns: set.job.columns }),
          },
          tags: { 'mlflow.data.context': 'training' },
        }]);
      }
    } catch (e) {
      await set.job.close();
      throw e;
    }
    return set;
  }

  // What the monitor measures drift against: each column's profile, computed by the offline
  // engine where the rows are (no row is read into JavaScript) and stored with the dataset.
  private async recordStatistics(set: TrainingSet): Promise<void> {
    await this.runsStore.setDatasetStatistics(set.dataset.datasetId, await set.job.profile());
  }

  /** The statistics recorded for a training set's columns (drift references), or null. */
  async getTrainingStatistics(datasetId: string): Promise<FeatureProfile[] | null> {
    return this.runsStore.datasetStatistics(datasetId);
  }

  async getOnlineFeatures(input: GetOnlineFeaturesInput): Promise<OnlineFeaturesResult> {
    return getOnlineFeatures(this.resolve, await this.online(), this.code, input, this.now);
  }

  /**
   * `getOnlineFeatures` as UTF-8 JSON, written without parsing and re-printing stored values (for
   * HTTP): timestamps as ISO-8601 strings with microseconds, int64 values as their exact digits.
   */
  async getOnlineFeaturesJson(input: GetOnlineFeaturesInput): Promise<Buffer> {
    return getOnlineFeaturesJson(this.resolve, await this.online(), this.code, input, this.now);
  }

  /** `getOnlineFeatures` with each value as the JSON text `getOnlineFeaturesJson` writes (exact). */
  async getOnlineFeaturesText(input: GetOnlineFeaturesInput): Promise<OnlineFeaturesText> {
    return getOnlineFeaturesText(this.resolve, await this.online(), this.code, input, this.now);
  }

  /**
   * The typed fields an entity row of this selection carries: the views' join keys and the
   * on-demand views' request fields (for reading entities typed as text, as the CLI does).
   */
  async entityFields(input: FeatureSelectionInput): Promise<Field[]> {
    const resolved = await this.resolve(input);
    const fields: Field[] = [];
    const add = (f: Field) => { if (!fields.some((x) => x.name === f.name)) fields.push(f); };
    for (const v of resolved.views.values()) v.stored.spec.joinKeys.forEach(add);
    for (const o of resolved.onDemand) o.stored.spec.request.forEach(add);
    return fields;
  }

  /**
   * Materializes every online view (or `options.views`) over [start, end], each whatever happens to
   * the others, and returns one outcome per view. When any view failed it throws after the last
   * one, with every outcome in `error.details.views`.
   */
  async materialize(start: number | string, end: number | string, options: MaterializeOptions = {}): Promise<MaterializationOutcome[]> {
    const s = coerceValue(start, 'timestamp', 'start') as number;
    const e = coerceValue(end, 'timestamp', 'end') as number;
    checkWindow(s, e);
    return this.materializeViews(await this.onlineViews(options.views), () => s, e, options);
  }

  /** Materializes each online view from its watermark (or end - ttl, or 1970 the first time) to `end`; reports as `materialize`. */
  async materializeIncremental(end: number | string, options: MaterializeOptions = {}): Promise<MaterializationOutcome[]> {
    const e = coerceValue(end, 'timestamp', 'end') as number;
    const views = await this.onlineViews(options.views);
    const starts = new Map<string, number>();
    for (const v of views) starts.set(v.name, (await this.runsStore.watermark(v.name)) ?? (v.ttlMs !== null ? e - v.ttlMs : 0));
    return this.materializeViews(views, (v) => Math.min(starts.get(v.name)!, e), e, options);
  }

  private async materializeViews(views: FeatureViewSpec[], start: (v: FeatureViewSpec) => number, end: number, options: MaterializeOptions): Promise<MaterializationOutcome[]> {
    const open = async () => ({ offline: await this.offline(), online: await this.online(), runs: this.runsStore, now: this.now });
    return materializeAll(this.runsStore, open, views, start, end, options);
  }

  private async onlineViews(names?: string[]): Promise<FeatureViewSpec[]> {
    if (names?.length) {
      return Promise.all(names.map(async (n) => {
        const { spec } = await this.registry.getView(n);
        if (!spec.online) throw new CairnError('FAILED_PRECONDITION', `Feature view '${n}' is not served online (online: false), so it is not materialized. Set online: true and apply first.`);
        return spec;
      }));
    }
    return (await this.registry.list('featureView')).map((o) => o.spec as FeatureViewSpec).filter((v) => v.online);
  }

  /**
   * Writes rows of a push source to the online store of every online view reading it (same rule as
   * materialization: never older over newer) and keeps them for offline retrieval.
   */
  async push(sourceName: string, rows: Array<Record<string, unknown>>, options: { to?: 'online' | 'offline' | 'online_and_offline' } = {}): Promise<{ rows: number; views: string[] }> {
    const to = options.to ?? 'online_and_offline';
    if (!Array.isArray(rows) || !rows.length) throw invalid('Push at least one row.');
    const views = (await this.registry.viewsReadingSource(sourceName)).filter((v) => v.source.type === 'push');
    if (!views.length) throw new CairnError('NOT_FOUND', `No feature view reads push source '${sourceName}'. Define one with pushSource() and run 'cairn features apply'.`);
    const source = views[0]!.source as PushSourceSpec;
    const columns: Field[] = [];
    const add = (f: Field) => { if (!columns.some((c) => c.name === f.name)) columns.push(f); };
    for (const v of views) v.joinKeys.forEach(add);
    add({ name: source.timestampField, type: 'timestamp' });
    if (source.createdTimestampField) add({ name: source.createdTimestampField, type: 'timestamp' });
    for (const v of views) v.features.forEach(add);
    const checked = rows.map((r, i) => Object.fromEntries(columns.map((c) => {
      if (r?.[c.name] === undefined) throw invalid(`Pushed row ${i} has no '${c.name}'; rows of '${sourceName}' need ${columns.map((x) => x.name).join(', ')}.`);
      const v = coerceValue(r[c.name], c.type, `Pushed row ${i} '${c.name}'`);
      if (v === null && (c.type === 'timestamp' && c.name === source.timestampField || views.some((vw) => vw.joinKeys.some((k) => k.name === c.name)))) throw invalid(`Pushed row ${i} has a null '${c.name}'.`);
      return [c.name, v];
    })));
    if (to !== 'online') await (await this.offline()).writePushed(source, columns, checked);
    const written: string[] = [];
    if (to !== 'offline') {
      const online = await this.online();
      for (const v of views.filter((x) => x.online)) {
        await online.write(v.name, viewKeyspace(v), checked.map((r) => ({
          key: encodeEntityKey(v.joinKeys.map((k) => r[k.name])), eventTs: r[source.timestampField] as number,
          createdTs: source.createdTimestampField ? (r[source.createdTimestampField] as number) : null,
          valuesJson: encodeValues(Object.fromEntries(v.features.map((f) => [f.name, r[f.name]]))),
        })));
        written.push(v.name);
      }
    }
    return { rows: checked.length, views: written };
  }

  async listMaterializations(view?: string, limit?: number): Promise<MaterializationRun[]> {
    return this.runsStore.listRuns(view, limit);
  }

  async listTrainingDatasets(featureService?: string): Promise<TrainingDataset[]> {
    return this.runsStore.listDatasets(featureService);
  }

  async getTrainingDataset(id: string): Promise<TrainingDataset> {
    const d = await this.runsStore.getDataset(id);
    if (!d) throw new CairnError('NOT_FOUND', `Training dataset '${id}' does not exist.`);
    return d;
  }

  // Runs that trained on a service (through recorded training datasets) and models registered from them.
  private async consumers(service: string): Promise<{ runs: string[]; models: Array<{ name: string; version: string }> }> {
    const runs = [...new Set((await this.runsStore.listDatasets(service)).map((d) => d.runId).filter((r): r is string => !!r))];
    if (!runs.length) return { runs, models: [] };
    try {
      // The model registry is another subsystem; its tables are read directly, and a failure costs only this detail.
      const res = await sql<{ name: string; version: unknown }>`select m.name, v.version from model_versions v join registered_models m on m.model_id = v.model_id where v.run_id in (${sql.join(runs)}) order by m.name, v.version`.execute(this.deps.db);
      return { runs, models: res.rows.map((r) => ({ name: r.name, version: String(r.version) })) };
    } catch {
      return { runs, models: [] };
    }
  }

  async close(): Promise<void> {
    const offline = this.offlineStore;
    const online = this.onlineStore;
    this.offlineStore = this.onlineStore = null;
    await Promise.all([offline?.then((s) => s.close()).catch(() => {}), online?.then((s) => s.close()).catch(() => {})]);
  }
}
