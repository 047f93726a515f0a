import type { Readable } from 'node:stream';
import type { RegistryClient } from '@cairn/client';
import type { AuditQuery, CreateModelInput, CreateVersionInput, RegistrySearchQuery, SetGateInput } from '@cairn/core';
import type { AliasOverride, RegistryBackend } from '../registry-backend.js';
import type { ArtifactSource } from '../tracking-backend.js';

/**
 * Sends registry calls to a Cairn server through `RegistryClient`; the server records the token's
 * name in the audit log and enforces its role.
 *
 * @example
 * ```ts
 * const registry = new HttpRegistryBackend(new RegistryClient({ baseUrl: 'http://127.0.0.1:5050', token }));
 * ```
 */
export class HttpRegistryBackend implements RegistryBackend {
  constructor(private readonly client: RegistryClient) {}

  createModel = (input: CreateModelInput) => this.client.createModel(input);
  getModel = (name: string) => this.client.getModel(name);
  searchModels = (q: RegistrySearchQuery) => this.client.searchModels(q);
  createVersion = (input: CreateVersionInput) => this.client.createVersion(input);
  uploadVersionFile = (name: string, version: number, path: string, body: ArtifactSource) => this.client.uploadVersionFile(name, version, path, body);
  finalizeVersion = (name: string, version: number) => this.client.finalizeVersion(name, version);
  searchVersions = (q: RegistrySearchQuery) => this.client.searchVersions(q);
  resolve = (uri: string) => this.client.resolve(uri);
  versionFiles = (name: string, version: number) => this.client.versionFiles(name, version);
  promote = (name: string, version: number, alias: string, options: { reason?: string } = {}) => this.client.promote(name, version, alias, options);
  evaluateGate = (name: string, version: number, alias: string) => this.client.evaluateGate(name, version, alias);
  audit = (q: AuditQuery) => this.client.audit(q);
  lineage = (name: string, version: number) => this.client.lineage(name, version);
  setGate = (input: SetGateInput) => this.client.setGate(input);
  gates = (name: string) => this.client.gates(name);

  async openVersionFile(name: string, version: number, path: string): Promise<Readable> {
    return (await this.client.downloadVersionFile(name, version, path)).stream;
  }

  async setAlias(name: string, alias: string, version: number, override: AliasOverride = {}): Promise<void> {
    await this.client.setAlias(name, alias, version, override);
  }

  deleteAlias(name: string, alias: string, override: AliasOverride = {}): Promise<void> {
    return this.client.deleteAlias(name, alias, override);
  }

  async aliasAt(name: string, alias: string, time: number) {
    const { at } = await this.client.aliasHistory(name, alias, time);
    return { version: at?.version ?? null, event: at?.event ?? null };
  }
}
