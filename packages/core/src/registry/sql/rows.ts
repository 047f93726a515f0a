import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

// Row shapes of the registry tables (migration 0002-registry). Only the stores in this folder see
// them; times are epoch milliseconds, booleans 0/1, JSON is text.

export interface RegisteredModelRow {
  model_id: string;
  name: string;
  description: string | null;
  creation_time: number;
  last_updated_time: number;
  version_counter: number;
}

export interface ModelTagRow { model_id: string; key: string; value: string }

export interface ModelVersionRow {
  model_id: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  user_id: string | null;
  description: string | null;
  source: string;
  run_id: string | null;
  status: string;
  status_message: string | null;
  current_stage: string;
  storage_path: string;
  format: string;
  unsafe: number;
  signature: string | null;
  input_example: string | null;
  size_bytes: number | null;
  digest: string | null;
  file_count: number | null;
  manifest: string | null;
  /** Set for an external version: the pointer clients follow; Cairn holds no files for it. */
  external_uri: string | null;
  /** The feature-store training set the version was registered from (migration 0009), if known. */
  training_dataset_id?: string | null;
}

export interface VersionTagRow { model_id: string; version: number; key: string; value: string }

export interface ModelAliasRow { model_id: string; alias: string; version: number; updated_time: number }

export interface RegistryEventRow {
  event_id: Generated<number>;
  time: number;
  actor: string;
  action: string;
  model_id: string;
  model_name: string;
  version: number | null;
  alias: string | null;
  key: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
}

export interface RegistryGateRow {
  model_id: string;
  alias: string;
  conditions: string;
  require_signature: number;
  protected: number;
  updated_time: number;
  updated_by: string;
}

export interface WebhookRow {
  webhook_id: string;
  url: string;
  events: string;
  model_name: string | null;
  description: string | null;
  secret: string;
  active: number;
  created_time: number;
}

export interface WebhookDeliveryRow {
  delivery_id: string;
  webhook_id: string;
  event_id: number;
  action: string;
  status: string;
  attempts: number;
  next_attempt_time: number | null;
  lease_until: number | null;
  created_time: number;
}

export interface WebhookAttemptRow {
  delivery_id: string;
  attempt: number;
  time: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

// A type alias (not an interface) so it satisfies Kysely's `withTables` index-signature constraint.
export type RegistryTables = {
  registered_models: RegisteredModelRow;
  registered_model_tags: ModelTagRow;
  model_versions: ModelVersionRow;
  model_version_tags: VersionTagRow;
  model_aliases: ModelAliasRow;
  registry_events: RegistryEventRow;
  registry_gates: RegistryGateRow;
  registry_webhooks: WebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_attempts: WebhookAttemptRow;
};

export type RegistryDb = Kysely<Database & RegistryTables>;
export type RegistryTrx = Transaction<Database & RegistryTables>;

export function registryDb(db: Kysely<Database>): RegistryDb {
  return db.withTables<RegistryTables>();
}
