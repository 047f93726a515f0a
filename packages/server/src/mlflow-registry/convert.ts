import type { ModelVersion, RegisteredModel } from '@cairn/core';
import { keyValues, mlflowArtifactUri } from '../mlflow/convert.js';

// Registry entities as MLflow's REST JSON (model_registry.proto with proto field names): versions are
// strings, timestamps int64 numbers, unset fields and empty lists left out, as MLflow's server does.

type Json = Record<string, unknown>;

function withList(target: Json, key: string, list: unknown[]): Json {
  if (list.length) target[key] = list;
  return target;
}

export function modelVersionJson(v: ModelVersion): Json {
  const json: Json = {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTime,
    last_updated_timestamp: v.lastUpdatedTime,
    current_stage: v.stage,
    source: v.source,
    status: v.status,
  };
  if (v.userId) json.user_id = v.userId;
  if (v.description) json.description = v.description;
  if (v.runId) json.run_id = v.runId;
  if (v.statusMessage) json.status_message = v.statusMessage;
  // MLflow's ModelVersion has no field for it, so an external version says so where people look.
  else if (v.externalUri) json.status_message = EXTERNAL_NOTE;
  withList(json, 'tags', keyValues(v.tags));
  return withList(json, 'aliases', v.aliases);
}

export function registeredModelJson(m: RegisteredModel): Json {
  const json: Json = { name: m.name, creation_timestamp: m.creationTime, last_updated_timestamp: m.lastUpdatedTime };
  if (m.description) json.description = m.description;
  withList(json, 'latest_versions', m.latestVersions.map(modelVersionJson));
  withList(json, 'tags', keyValues(m.tags));
  return withList(json, 'aliases', m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })));
}

export const EXTERNAL_NOTE = 'External version: Cairn records where its files are (the download URI) but holds none and never fetches them.';

/**
 * Where MLflow clients download a version's files: the artifact proxy, under the version's own copy;
 * for an external version, the pointer it was registered with, which the client follows itself.
 */
export function downloadUri(v: ModelVersion): string {
  return v.externalUri ?? mlflowArtifactUri(v.storagePath);
}
