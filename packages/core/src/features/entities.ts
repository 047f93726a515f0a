import type { ErrorCode } from '../errors.js';
import type { ValueType } from './value-types.js';

// The stored, JSON-safe form of every definition ("spec"). The registry keeps each applied version;
// everything past loading works with specs, never with the user's definition objects.

export interface Field { name: string; type: ValueType }

interface SpecBase {
  name: string;
  description: string;
  tags: Record<string, string>;
  owner: string;
}

export interface EntitySpec extends SpecBase { kind: 'entity'; joinKeys: Field[] }

interface SourceSpecBase extends SpecBase {
  kind: 'source';
  timestampField: string;
  createdTimestampField: string | null;
}
/** `format` null: a folder whose files' extensions tell the format when it is read. */
export interface FileSourceSpec extends SourceSpecBase { type: 'file'; path: string; format: 'csv' | 'parquet' | null }
export interface PostgresSourceSpec extends SourceSpecBase { type: 'postgres'; table: string | null; query: string | null }
export interface PushSourceSpec extends SourceSpecBase { type: 'push'; batchSource: FileSourceSpec | null }
export type SourceSpec = FileSourceSpec | PostgresSourceSpec | PushSourceSpec;

export interface ExpectationsSpec {
  features: Record<string, { notNull: boolean; min: number | null; max: number | null; allowed: Array<string | number | boolean> | null }>;
  freshnessMs: number | null;
}

export interface FeatureViewSpec extends SpecBase {
  kind: 'featureView';
  entities: string[];
  /** The entities' join keys, resolved at apply time so one stored object answers a request. */
  joinKeys: Field[];
  features: Field[];
  source: SourceSpec;
  ttlMs: number | null;
  online: boolean;
  expectations: ExpectationsSpec | null;
}

export interface FeatureRef { view: string; feature: string }

export interface OnDemandFeatureViewSpec extends SpecBase {
  kind: 'onDemandFeatureView';
  request: Field[];
  inputs: FeatureRef[];
  features: Field[];
  /** The compute function's source text: a change in it is a change of the view. Never evaluated. */
  computeSource: string;
}

export interface FeatureServiceSpec extends SpecBase { kind: 'featureService'; features: FeatureRef[] }

export type ObjectSpec = EntitySpec | SourceSpec | FeatureViewSpec | OnDemandFeatureViewSpec | FeatureServiceSpec;
export type ObjectKind = ObjectSpec['kind'];
export const OBJECT_KINDS: ObjectKind[] = ['entity', 'source', 'featureView', 'onDemandFeatureView', 'featureService'];

/** One applied version of one registry object. */
export interface StoredObject<S extends ObjectSpec = ObjectSpec> {
  kind: S['kind'];
  name: string;
  /** 1 for the first apply of this object, +1 for each apply that changed it. */
  version: number;
  /** The registry version (one per `apply`) that stored this object version. */
  registryVersion: number;
  digest: string;
  spec: S;
  createdTime: number;
}

export interface RegistryVersion {
  version: number;
  appliedTime: number;
  digest: string;
  forced: boolean;
  summary: { added: number; changed: number; removed: number };
}

export type ChangeType = 'added' | 'changed' | 'removed';

export interface ObjectChange {
  kind: ObjectKind;
  name: string;
  change: ChangeType;
  /** What differs, e.g. `feature conv_rate: float64 -> string`, `ttl: 2h -> 1h`. */
  details: string[];
  fromVersion: number | null;
}

/** A change that breaks a consumer: a feature a service serves is removed or retyped. */
export interface BreakingChange {
  service: string;
  feature: string;
  reason: string;
  /** Runs that trained on this service (through training datasets) and models registered from them. */
  runs: string[];
  models: Array<{ name: string; version: string }>;
}

export interface Plan {
  fromVersion: number;
  changes: ObjectChange[];
  breaking: BreakingChange[];
}

export interface ApplyResult extends Plan {
  /** The new registry version, or the unchanged one when nothing changed. */
  version: number;
  applied: boolean;
}

export type FeatureStatus = 'PRESENT' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE';

/**
 * Columnar answer of `getOnlineFeatures`: `results[i].values[j]` is feature i of entity row j.
 * Event times are epoch ms with microseconds as the fraction.
 */
export interface OnlineFeaturesResult {
  featureNames: string[];
  results: Array<{ values: unknown[]; statuses: FeatureStatus[]; eventTimestamps: Array<number | null> }>;
}

/**
 * `OnlineFeaturesResult` with each value as its JSON text, as the HTTP answer carries it:
 * timestamps as ISO-8601 strings with microseconds, int64 values as their exact digits.
 */
export interface OnlineFeaturesText {
  featureNames: string[];
  /** Each feature's value type, in featureNames order. */
  types: ValueType[];
  results: Array<{ values: string[]; statuses: FeatureStatus[]; eventTimestamps: Array<number | null> }>;
}

export interface FeatureStatistics {
  feature: string;
  type: ValueType;
  count: number;
  nulls: number;
  min: number | string | boolean | null;
  max: number | string | boolean | null;
  mean: number | null;
  stddev: number | null;
  /** Distinct non-null values: exact while `distinctExact`, else a HyperLogLog estimate (about 1.6%). Absent in statistics stored before it was counted. */
  distinct?: number;
  distinctExact?: boolean;
  /** p0, p5, p25, p50, p75, p95, p100 (from a bounded sample past 10,000 values). */
  quantiles: Record<string, number> | null;
  histogram: { edges: number[]; counts: number[] } | null;
}

export interface MaterializationRun {
  runId: string;
  view: string;
  start: number;
  end: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  rows: number;
  startedTime: number;
  endedTime: number | null;
  error: string | null;
  statistics: FeatureStatistics[];
}

/** What a materialization did for one view (`materialize` reports one per view, failed or not). */
export interface MaterializationOutcome {
  view: string;
  status: 'SUCCEEDED' | 'FAILED';
  /** The recorded run; null when the view failed before its run could be recorded. */
  runId: string | null;
  /** The window, epoch ms with microseconds as the fraction; `start <= t <= end`. */
  start: number;
  end: number;
  /** Rows written online (on a failure, those written before it). */
  rows: number;
  /** The view's watermark after this run: `end` (whole ms, rounded down) on success, unchanged on failure. */
  watermark: number | null;
  error: { code: ErrorCode; message: string } | null;
  statistics: FeatureStatistics[];
}

export interface TrainingDataset {
  datasetId: string;
  name: string;
  createdTime: number;
  registryVersion: number;
  /** Each view, on-demand view and service used, with its object version. */
  definitions: Array<{ kind: ObjectKind; name: string; version: number }>;
  features: string[];
  featureService: string | null;
  entityDigest: string;
  resultDigest: string;
  rowCount: number;
  runId: string | null;
}
