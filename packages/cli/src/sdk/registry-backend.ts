import type { Readable } from 'node:stream';
import type {
  AuditEvent,
  AuditQuery,
  CreateModelInput,
  CreateVersionInput,
  GateEvaluation,
  GatePolicy,
  Lineage,
  ModelFile,
  ModelVersion,
  Page,
  Promotion,
  RegisteredModel,
  RegistrySearchQuery,
  SetGateInput,
} from '@cairn/core';
import type { ArtifactSource } from './tracking-backend.js';

export interface AliasOverride {
  /** Admins only: move or delete a protected alias outside its gate. */
  force?: boolean;
  reason?: string;
}

/**
 * Where the SDK and the CLI send model registry calls: the registry in this process, or a Cairn
 * server over HTTP. Both take and return the same entities and throw `CairnError` with the same codes.
 *
 * @example
 * ```ts
 * const registry: RegistryBackend = new HttpRegistryBackend(new RegistryClient({ baseUrl: 'http://127.0.0.1:5050' }));
 * const v = await registry.resolve('churn@champion');
 * ```
 */
export interface RegistryBackend {
  createModel(input: CreateModelInput): Promise<RegisteredModel>;
  getModel(name: string): Promise<RegisteredModel>;
  searchModels(q: RegistrySearchQuery): Promise<Page<RegisteredModel>>;
  createVersion(input: CreateVersionInput): Promise<ModelVersion>;
  uploadVersionFile(name: string, version: number, path: string, body: ArtifactSource): Promise<ModelFile>;
  finalizeVersion(name: string, version: number): Promise<ModelVersion>;
  searchVersions(q: RegistrySearchQuery): Promise<Page<ModelVersion>>;
  resolve(uri: string): Promise<ModelVersion>;
  versionFiles(name: string, version: number): Promise<ModelFile[]>;
  openVersionFile(name: string, version: number, path: string): Promise<Readable>;
  setAlias(name: string, alias: string, version: number, override?: AliasOverride): Promise<void>;
  deleteAlias(name: string, alias: string, override?: AliasOverride): Promise<void>;
  promote(name: string, version: number, alias: string, options?: { reason?: string }): Promise<Promotion>;
  evaluateGate(name: string, version: number, alias: string): Promise<GateEvaluation>;
  /** The version `alias` pointed to at `time` (epoch ms), and the event that put it there. */
  aliasAt(name: string, alias: string, time: number): Promise<{ version: number | null; event: AuditEvent | null }>;
  audit(q: AuditQuery): Promise<Page<AuditEvent>>;
  lineage(name: string, version: number): Promise<Lineage>;
  setGate(input: SetGateInput): Promise<GatePolicy>;
  gates(name: string): Promise<GatePolicy[]>;
}
