import { notFound } from '../../errors.js';
import type {
  FeatureServiceSpec, FeatureStatistics, FeatureViewSpec, MaterializationRun, ObjectKind, ObjectSpec, OnDemandFeatureViewSpec, StoredObject, TrainingDataset,
} from '../entities.js';
import { expectationResults, type ExpectationResult } from '../expectations/expectation-results.js';
import type { FeatureRegistry } from '../registry/feature-registry.js';
import { describeChange } from '../registry/registry-diff.js';
import type { FeatureRunsStore } from '../sql/feature-runs-store.js';

/** A materialization run without its statistics (lists of runs stay small). */
export type MaterializationSummary = Omit<MaterializationRun, 'statistics'>;

/** How current a feature view's online values are. */
export interface ViewFreshness {
  view: string;
  online: boolean;
  ttlMs: number | null;
  /** End of the last successful materialization (ms); null when never materialized. */
  watermark: number | null;
  lastRun: MaterializationSummary | null;
  /** Online, and never materialized or its watermark is older than `now - ttl`. */
  stale: boolean;
  /** Why it is stale, in words (null when it is not). */
  staleReason: string | null;
}

/** One applied version of a definition and what changed from the one before it. */
export interface DefinitionVersion {
  version: number;
  registryVersion: number;
  /** null for a removal (the registry keeps no time for it). */
  createdTime: number | null;
  change: 'added' | 'changed' | 'removed';
  /** What differs from the previous version (`feature x: int64 -> string`, `ttlMs: 7200000 -> 3600000`). */
  details: string[];
  spec: ObjectSpec | null;
}

export interface FeatureViewDetail {
  object: StoredObject<FeatureViewSpec> | StoredObject<OnDemandFeatureViewSpec>;
  versions: DefinitionVersion[];
  /** Null for on-demand views (computed at read time). */
  freshness: ViewFreshness | null;
  /** From the newest successful materialization; empty until one. */
  statistics: FeatureStatistics[];
  statisticsRunId: string | null;
  expectations: ExpectationResult[];
  materializations: MaterializationSummary[];
  /** Feature services serving any of its features, and on-demand views reading it. */
  usedBy: Array<{ kind: ObjectKind; name: string }>;
}

export interface FeatureServiceDetail {
  object: StoredObject<FeatureServiceSpec>;
  versions: DefinitionVersion[];
  /** The views it serves from, with the features it takes of each. */
  views: Array<{ kind: 'featureView' | 'onDemandFeatureView'; name: string; features: string[] }>;
  /** The newest training sets built from it (at most 50). */
  trainingSets: TrainingDataset[];
  /** Runs that trained on it, and model versions registered from them. */
  runs: string[];
  models: Array<{ name: string; version: string }>;
}

const summary = ({ statistics: _s, ...run }: MaterializationRun): MaterializationSummary => run;

/**
 * Read-only views of the feature store for people browsing it (the web UI): each view's freshness,
 * statistics, expectation results and definition history; what a service serves and who used it.
 *
 * @example
 * ```ts
 * const stale = (await platform.features.catalog.freshness()).filter((f) => f.stale);
 * const view = await platform.features.catalog.view('customer_activity');
 * ```
 */
export class FeatureCatalog {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly runs: FeatureRunsStore,
    private readonly consumers: (service: string) => Promise<{ runs: string[]; models: Array<{ name: string; version: string }> }>,
    private readonly now: () => number,
  ) {}

  /** Freshness of every feature view, by name. */
  async freshness(): Promise<ViewFreshness[]> {
    const views = (await this.registry.list('featureView')).map((o) => o.spec as FeatureViewSpec);
    const [watermarks, lastRuns] = await Promise.all([this.runs.watermarks(), this.runs.lastRunPerView()]);
    return views.map((v) => this.freshnessOf(v, watermarks.get(v.name) ?? null, lastRuns.get(v.name) ?? null));
  }

  private freshnessOf(v: FeatureViewSpec, watermark: number | null, lastRun: MaterializationRun | null): ViewFreshness {
    let staleReason: string | null = null;
    if (v.online && watermark === null) staleReason = 'never materialized';
    else if (v.online && v.ttlMs !== null && watermark !== null && watermark < this.now() - v.ttlMs) staleReason = 'watermark older than the TTL';
    return { view: v.name, online: v.online, ttlMs: v.ttlMs, watermark, lastRun: lastRun && summary(lastRun), stale: staleReason !== null, staleReason };
  }

  /** A feature view or on-demand view with its history, freshness, statistics and expectation results. */
  async view(name: string): Promise<FeatureViewDetail> {
    const object = await this.registry.findAnyView(name);
    if (!object) throw notFound(`Feature view '${name}'`, `List them with 'cairn features list'.`);
    const versions = await this.versions(object.kind, name);
    const usedBy = await this.usedBy(name);
    if (object.spec.kind === 'onDemandFeatureView') {
      return { object, versions, freshness: null, statistics: [], statisticsRunId: null, expectations: [], materializations: [], usedBy };
    }
    const spec = object.spec;
    const runs = await this.runs.listRuns(name, 50);
    const lastGood = runs.find((r) => r.status === 'SUCCEEDED') ?? null;
    return {
      object, versions, usedBy,
      freshness: this.freshnessOf(spec, await this.runs.watermark(name), runs[0] ?? null),
      statistics: lastGood?.statistics ?? [],
      statisticsRunId: lastGood?.runId ?? null,
      expectations: expectationResults(spec.expectations, runs),
      materializations: runs.map(summary),
    };
  }

  /** A feature service: its views and features, the training sets built from it, the runs and models that used it. */
  async service(name: string): Promise<FeatureServiceDetail> {
    const object = await this.registry.getService(name);
    const byView = new Map<string, string[]>();
    for (const ref of object.spec.features) byView.set(ref.view, [...(byView.get(ref.view) ?? []), ref.feature]);
    const views: FeatureServiceDetail['views'] = [];
    for (const [view, features] of byView) {
      const found = await this.registry.findAnyView(view);
      views.push({ kind: found?.kind === 'onDemandFeatureView' ? 'onDemandFeatureView' : 'featureView', name: view, features });
    }
    const [versions, trainingSets, consumers] = await Promise.all([this.versions('featureService', name), this.runs.listDatasets(name, 50), this.consumers(name)]);
    return { object, versions, views, trainingSets, ...consumers };
  }

  /** Every applied version of a definition, oldest first, with what changed each time. */
  async versions(kind: ObjectKind, name: string): Promise<DefinitionVersion[]> {
    const history = await this.registry.history(kind, name);
    if (!history.length) throw notFound(`A ${kind} named '${name}'`, `List definitions with 'cairn features list'.`);
    const out: DefinitionVersion[] = [];
    let previous: ObjectSpec | null = null;
    for (const h of history) {
      if ('removed' in h) {
        out.push({ version: h.version, registryVersion: h.registryVersion, createdTime: null, change: 'removed', details: [], spec: null });
        previous = null;
        continue;
      }
      out.push({
        version: h.version, registryVersion: h.registryVersion, createdTime: h.createdTime, spec: h.spec,
        change: previous ? 'changed' : 'added', details: previous ? describeChange(previous, h.spec) : [],
      });
      previous = h.spec;
    }
    return out;
  }

  /** Materialization runs, newest first, without statistics. */
  async materializations(view?: string, limit = 100): Promise<MaterializationSummary[]> {
    return (await this.runs.listRuns(view, limit)).map(summary);
  }

  async trainingSet(datasetId: string): Promise<TrainingDataset> {
    const d = await this.runs.getDataset(datasetId);
    if (!d) throw notFound(`Training set '${datasetId}'`, 'Training sets are recorded by getHistoricalFeatures.');
    return d;
  }

  /** Training sets recorded for a tracking run (its inputs, for lineage). */
  trainingSetsOfRun(runId: string): Promise<TrainingDataset[]> {
    return this.runs.listDatasetsOfRun(runId);
  }

  /** Training sets built from a service, or (none given) from a list of features, newest first. */
  trainingSets(service: string | null, limit: number): Promise<TrainingDataset[]> {
    return service === null ? this.runs.listDatasetsWithoutService(limit) : this.runs.listDatasets(service, limit);
  }

  private async usedBy(view: string): Promise<Array<{ kind: ObjectKind; name: string }>> {
    const out: Array<{ kind: ObjectKind; name: string }> = [];
    for (const o of await this.registry.list('featureService')) {
      if ((o.spec as FeatureServiceSpec).features.some((f) => f.view === view)) out.push({ kind: 'featureService', name: o.name });
    }
    for (const o of await this.registry.list('onDemandFeatureView')) {
      if ((o.spec as OnDemandFeatureViewSpec).inputs.some((f) => f.view === view)) out.push({ kind: 'onDemandFeatureView', name: o.name });
    }
    return out;
  }
}
