import type { Duration, ValueType } from './value-types.js';

// Definitions are plain objects branded with a registered symbol, so objects made by another copy of
// this module (a user's project importing Cairn) are still recognised when the files are loaded.
export const DEFINITION_KIND = Symbol.for('cairn.features.kind');
/** Where a loaded definition came from (`{ file, exportName }`), for errors that name it. */
export const DEFINITION_ORIGIN = Symbol.for('cairn.features.origin');

export type DefinitionKind = 'entity' | 'source' | 'featureView' | 'onDemandFeatureView' | 'featureService';

interface Described {
  description?: string;
  tags?: Record<string, string>;
  owner?: string;
}

export interface EntityInput extends Described {
  name: string;
  /** Join key columns and their types, in order: `{ driver_id: 'int64' }`. */
  joinKeys: Record<string, ValueType>;
}
export interface Entity extends EntityInput { readonly [DEFINITION_KIND]: 'entity' }

interface SourceBase extends Described {
  name: string;
  /** Column holding each row's event time. */
  timestampField: string;
  /** Column holding when the row was written; breaks ties between equal event times (greatest wins). */
  createdTimestampField?: string;
}

export interface FileSourceInput extends SourceBase {
  /** A CSV or Parquet file, or a folder of them, relative to the project folder. */
  path: string;
  /** Inferred from the extension (or the folder's files) when omitted. */
  format?: 'csv' | 'parquet';
}
export interface FileSource extends FileSourceInput { readonly [DEFINITION_KIND]: 'source'; type: 'file' }

export interface PostgresSourceInput extends SourceBase {
  /** A table (optionally `schema.table`) or a `query`, run by PostgreSQL (`features.postgres_uri`). */
  table?: string;
  query?: string;
}
export interface PostgresSource extends PostgresSourceInput { readonly [DEFINITION_KIND]: 'source'; type: 'postgres' }

export interface PushSourceInput extends SourceBase {
  /** Optional file history read together with the pushed rows by offline retrieval. */
  batchSource?: FileSource;
}
export interface PushSource extends PushSourceInput { readonly [DEFINITION_KIND]: 'source'; type: 'push' }

export type DataSource = FileSource | PostgresSource | PushSource;

/** Checks run on every materialization of a view; a failure stops it with the offending values. */
export interface FeatureExpectations {
  features?: Record<string, { notNull?: boolean; min?: number; max?: number; allowed?: Array<string | number | boolean> }>;
  /** The newest row materialized must be at most this old relative to the window's end. */
  freshness?: Duration;
}

export interface FeatureViewInput extends Described {
  name: string;
  entities: Entity[];
  /** Feature columns read from the source and their types. */
  schema: Record<string, ValueType>;
  source: DataSource;
  /**
   * Rows older than this relative to the lookup time are not used (offline and online alike): a
   * duration string with a unit, e.g. `'2h'`, `'7d'`, `'1d12h'` (a bare number is refused).
   */
  ttl?: Duration;
  /** Whether `materialize` copies the view to the online store (default true). */
  online?: boolean;
  expectations?: FeatureExpectations;
}
export interface FeatureView extends FeatureViewInput { readonly [DEFINITION_KIND]: 'featureView' }

/** Features named as `'view:feature'`, a whole view, or a view and some of its features. */
export type FeatureSelection = string | FeatureView | OnDemandFeatureView | { view: FeatureView | OnDemandFeatureView; features: string[] };

export interface OnDemandFeatureViewInput extends Described {
  name: string;
  /** Request fields the caller sends with each entity row, and features the function reads. */
  sources: { request?: Record<string, ValueType>; features?: FeatureSelection[] };
  /** Output features and their types. */
  schema: Record<string, ValueType>;
  /** Computes the outputs of one row from its inputs (request fields and features by bare name). */
  compute: (input: Record<string, unknown>) => Record<string, unknown>;
}
export interface OnDemandFeatureView extends OnDemandFeatureViewInput { readonly [DEFINITION_KIND]: 'onDemandFeatureView' }

export interface FeatureServiceInput extends Described {
  name: string;
  features: FeatureSelection[];
}
export interface FeatureServiceDefinition extends FeatureServiceInput { readonly [DEFINITION_KIND]: 'featureService' }

export type Definition = Entity | DataSource | FeatureView | OnDemandFeatureView | FeatureServiceDefinition;

const brand = <T extends object, K extends DefinitionKind>(kind: K, obj: T): T & { readonly [DEFINITION_KIND]: K } =>
  Object.defineProperty({ ...obj }, DEFINITION_KIND, { value: kind, enumerable: false }) as T & { readonly [DEFINITION_KIND]: K };

/**
 * An entity: what features describe, identified by one or more join keys.
 *
 * @example
 * ```ts
 * export const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' } });
 * ```
 */
export function entity(input: EntityInput): Entity {
  return brand('entity', input);
}

/**
 * A CSV or Parquet file (or folder) of feature rows, read by the offline store.
 *
 * @example
 * ```ts
 * export const trips = fileSource({ name: 'trips', path: 'data/trips.parquet', timestampField: 'event_timestamp', createdTimestampField: 'created' });
 * ```
 */
export function fileSource(input: FileSourceInput): FileSource {
  return brand('source', { ...input, type: 'file' as const });
}

/**
 * A PostgreSQL table or query; retrieval SQL runs inside PostgreSQL.
 *
 * @example
 * ```ts
 * export const orders = postgresSource({ name: 'orders', table: 'public.orders', timestampField: 'ordered_at' });
 * ```
 */
export function postgresSource(input: PostgresSourceInput): PostgresSource {
  return brand('source', { ...input, type: 'postgres' as const });
}

/**
 * Rows pushed through the API (`push`): written online at once and kept for offline retrieval.
 *
 * @example
 * ```ts
 * export const clicks = pushSource({ name: 'clicks', timestampField: 'event_timestamp' });
 * ```
 */
export function pushSource(input: PushSourceInput): PushSource {
  return brand('source', { ...input, type: 'push' as const });
}

/**
 * A typed group of features of some entities, read from one source.
 *
 * @example
 * ```ts
 * export const driverStats = featureView({
 *   name: 'driver_stats', entities: [driver], source: trips, ttl: '2h',
 *   schema: { conv_rate: 'float64', trips_today: 'int64' },
 * });
 * ```
 */
export function featureView(input: FeatureViewInput): FeatureView {
  return brand('featureView', input);
}

/**
 * Features computed at read time by a TypeScript function of request data and other features.
 *
 * @example
 * ```ts
 * export const adjusted = onDemandFeatureView({
 *   name: 'adjusted', sources: { request: { bonus: 'float64' }, features: ['driver_stats:conv_rate'] },
 *   schema: { conv_plus_bonus: 'float64' },
 *   compute: (r) => ({ conv_plus_bonus: (r.conv_rate as number) + (r.bonus as number) }),
 * });
 * ```
 */
export function onDemandFeatureView(input: OnDemandFeatureViewInput): OnDemandFeatureView {
  return brand('onDemandFeatureView', input);
}

/**
 * A named, versioned set of features a model consumes.
 *
 * @example
 * ```ts
 * export const ranking = featureService({ name: 'ranking', features: [driverStats, 'adjusted:conv_plus_bonus'] });
 * ```
 */
export function featureService(input: FeatureServiceInput): FeatureServiceDefinition {
  return brand('featureService', input);
}

/** The kind of a definition object, or null for anything else a file exports. */
export function definitionKind(value: unknown): DefinitionKind | null {
  if (typeof value !== 'object' || value === null) return null;
  const kind = (value as Record<symbol, unknown>)[DEFINITION_KIND];
  return typeof kind === 'string' ? (kind as DefinitionKind) : null;
}
