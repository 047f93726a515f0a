import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type {
  AuditQuery,
  CreateModelInput,
  CreateVersionInput,
  RegistrySearchQuery,
  RegistryService,
  SetGateInput,
} from '@cairn/core';
import type { AliasOverride, RegistryBackend } from '../registry-backend.js';
import type { ArtifactSource } from '../tracking-backend.js';

/**
 * Calls the registry services directly, in this process. Opening the store directly is an admin's
 * access (as with `cairn tokens`); the audit log records the OS user.
 *
 * @example
 * ```ts
 * const platform = await openPlatform(loadConfig());
 * const registry = new InProcessRegistryBackend(platform.registry);
 * ```
 */
export class InProcessRegistryBackend implements RegistryBackend {
  constructor(private readonly registry: RegistryService) {}

  createModel = (input: CreateModelInput) => this.registry.createModel(input);
  getModel = (name: string) => this.registry.getModel(name);
  searchModels = (q: RegistrySearchQuery) => this.registry.searchModels(q);
  createVersion = (input: CreateVersionInput) => this.registry.versions.create(input);
  finalizeVersion = (name: string, version: number) => this.registry.versions.finalize(name, version);
  searchVersions = (q: RegistrySearchQuery) => this.registry.versions.search(q);
  resolve = (uri: string) => this.registry.resolve(uri);
  versionFiles = (name: string, version: number) => this.registry.versions.files(name, version);
  promote = (name: string, version: number, alias: string, options: { reason?: string } = {}) => this.registry.gates.promote(name, version, alias, options);
  evaluateGate = (name: string, version: number, alias: string) => this.registry.gates.check(name, version, alias);
  audit = (q: AuditQuery) => this.registry.audit.list(q);
  lineage = (name: string, version: number) => this.registry.lineage.of(`models:/${encodeURIComponent(name)}/${version}`);
  setGate = (input: SetGateInput) => this.registry.gates.set(input);
  gates = (name: string) => this.registry.gates.list(name);

  uploadVersionFile(name: string, version: number, path: string, body: ArtifactSource) {
    const content = body instanceof Uint8Array || !('file' in body) ? body : createReadStream(body.file);
    return this.registry.versions.uploadFile(name, version, path, content);
  }

  async openVersionFile(name: string, version: number, path: string): Promise<Readable> {
    return (await this.registry.versions.openFile(name, version, path)).stream;
  }

  setAlias(name: string, alias: string, version: number, override: AliasOverride = {}): Promise<void> {
    return this.registry.aliases.set(name, alias, version, override);
  }

  deleteAlias(name: string, alias: string, override: AliasOverride = {}): Promise<void> {
    return this.registry.aliases.delete(name, alias, override);
  }

  async aliasAt(name: string, alias: string, time: number) {
    const at = await this.registry.aliases.at(name, alias, time);
    return { version: at.version, event: at.event };
  }
}
