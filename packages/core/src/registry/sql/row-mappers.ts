import type { Generated } from 'kysely';
import type { Tags } from '../../tracking/entities.js';
import type {
  AuditEvent,
  GatePolicy,
  ModelAlias,
  ModelFile,
  ModelFormat,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  Signature,
  Stage,
  Webhook,
} from '../entities.js';
import type { ModelVersionRow, RegisteredModelRow, RegistryEventRow, RegistryGateRow, WebhookRow } from './rows.js';
import { keyMap } from '../../util/key-map.js';

type Selected<T> = { [K in keyof T]: T[K] extends Generated<infer U> ? U : T[K] };

export function toModel(row: RegisteredModelRow, tags: Tags, aliases: ModelAlias[], latestVersions: ModelVersion[]): RegisteredModel {
  return {
    name: row.name,
    description: row.description,
    creationTime: row.creation_time,
    lastUpdatedTime: row.last_updated_time,
    tags,
    aliases,
    latestVersions,
  };
}

export function toVersion(name: string, row: ModelVersionRow, tags: Tags, aliases: string[]): ModelVersion {
  return {
    name,
    version: row.version,
    creationTime: row.creation_time,
    lastUpdatedTime: row.last_updated_time,
    userId: row.user_id,
    description: row.description,
    source: row.source,
    runId: row.run_id,
    status: row.status as ModelVersionStatus,
    statusMessage: row.status_message,
    stage: row.current_stage as Stage,
    tags,
    aliases,
    format: row.format as ModelFormat,
    unsafe: row.unsafe === 1,
    signature: row.signature === null ? null : (JSON.parse(row.signature) as Signature),
    inputExample: row.input_example === null ? null : (JSON.parse(row.input_example) as unknown),
    size: row.size_bytes,
    digest: row.digest,
    fileCount: row.file_count,
    storagePath: row.storage_path,
    externalUri: row.external_uri ?? null,
  };
}

export function toManifest(row: Pick<ModelVersionRow, 'manifest'>): ModelFile[] {
  return row.manifest === null ? [] : (JSON.parse(row.manifest) as ModelFile[]);
}

export function toEvent(row: Selected<RegistryEventRow>): AuditEvent {
  return {
    id: row.event_id,
    time: row.time,
    actor: row.actor,
    action: row.action,
    model: row.model_name,
    version: row.version,
    alias: row.alias,
    key: row.key,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    reason: row.reason,
  };
}

export function toGate(model: string, row: RegistryGateRow): GatePolicy {
  return {
    model,
    alias: row.alias,
    conditions: JSON.parse(row.conditions) as string[],
    requireSignatureCompatible: row.require_signature === 1,
    protected: row.protected === 1,
    updatedTime: row.updated_time,
    updatedBy: row.updated_by,
  };
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.webhook_id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    model: row.model_name,
    description: row.description,
    active: row.active === 1,
    createdTime: row.created_time,
  };
}

export function tagsOf(rows: { key: string; value: string }[]): Tags {
  return keyMap(rows.map((r) => [r.key, r.value]));
}
