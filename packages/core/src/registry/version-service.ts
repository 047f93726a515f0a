import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { CairnError, notFound } from '../errors.js';
import { validateRelativePath } from '../paths/index.js';
import type { Page } from '../tracking/entities.js';
import { checkKey, checkText, LIMITS } from '../tracking/validation.js';
import type { Actor, ModelFile, ModelVersion } from './entities.js';
import { lockModel, versionNotFound, type RegistryContext, type TxScope, type WriteOptions } from './registry-context.js';
import { searchVersions, type RegistrySearchQuery } from './search/registry-search.js';
import { toManifest } from './sql/row-mappers.js';
import type { ModelVersionRow } from './sql/rows.js';
import { checkDescription, checkStage, parseVersion } from './validation.js';
import { finalizeUpload, registerVersion, uploadFile, type CreateVersionInput } from './version-registration.js';

/** A write that may override a protected alias: only an admin, only with a recorded reason. */
export interface OverrideOptions extends WriteOptions {
  force?: boolean;
  reason?: string | null;
}

/** Refuses unless the caller is an admin forcing the change with a reason. */
export function requireOverride(actor: Actor, options: OverrideOptions, what: string): void {
  const how = 'It moves only through its gate (`cairn models promote`), or an admin overrides with --force and --reason.';
  if (!options.force) throw new CairnError('PERMISSION_DENIED', `${what}, which is protected. ${how}`);
  if (actor.role !== 'admin') throw new CairnError('PERMISSION_DENIED', `${what}, which is protected; only an admin may override it (you are '${actor.name}', ${actor.role}). ${how}`);
  if (!options.reason || !options.reason.trim()) throw new CairnError('INVALID_ARGUMENT', `${what}, which is protected: an override must give a --reason, which the audit log keeps.`);
  checkText(options.reason, 'reason', 1000);
}

/** Model versions: register (from a run, another version or an upload), read, update, delete, tags, files. */
export class VersionService {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * Registers a new version and returns it (READY, or PENDING_REGISTRATION for an upload).
   *
   * @example
   * ```ts
   * const v = await registry.versions.create({ name: 'churn', source: `runs:/${runId}/model`, tags: { data: '2024-q3' } });
   * ```
   */
  async create(input: CreateVersionInput, options: WriteOptions = {}): Promise<ModelVersion> {
    const { name, version } = await registerVersion(this.ctx, input, options);
    return this.get(name, version);
  }

  async uploadFile(name: string, version: string | number, path: string, body: Parameters<typeof uploadFile>[4], options: { maxBytes?: number } = {}): Promise<ModelFile> {
    return uploadFile(this.ctx, name, version, path, body, options.maxBytes);
  }

  async finalize(name: string, version: string | number, options: WriteOptions = {}): Promise<ModelVersion> {
    await finalizeUpload(this.ctx, name, version, options);
    return this.get(name, version);
  }

  async get(name: string, version: string | number): Promise<ModelVersion> {
    const { row } = await this.row(name, version);
    return (await this.ctx.versions.loadOne(name, row.model_id, row.version))!;
  }

  async search(query: RegistrySearchQuery = {}): Promise<Page<ModelVersion>> {
    return searchVersions(this.ctx.db, this.ctx.dialect, query);
  }

  async update(name: string, version: string | number, input: { description?: string | null }, options: WriteOptions = {}): Promise<ModelVersion> {
    const description = checkDescription(input.description);
    await this.write(name, version, { ...options, touchModel: false }, async (s, row, model) => {
      await s.versions.update({ modelId: row.model_id, version: row.version }, { description }, s.now);
      await s.record({ action: 'version.updated', modelId: row.model_id, modelName: model, version: row.version, before: { description: row.description }, after: { description } });
    });
    return this.get(name, version);
  }

  /** MLflow's deprecated stage transition; aliases are the way forward. */
  async transitionStage(name: string, version: string | number, stage: string, archiveExisting: boolean, options: WriteOptions = {}): Promise<ModelVersion> {
    const to = checkStage(stage);
    await this.write(name, version, options, async (s, row, model) => {
      await s.versions.update({ modelId: row.model_id, version: row.version }, { current_stage: to }, s.now);
      await s.record({ action: 'version.stage.changed', modelId: row.model_id, modelName: model, version: row.version, before: { stage: row.current_stage }, after: { stage: to } });
      if (!archiveExisting || (to !== 'Staging' && to !== 'Production')) return;
      for (const other of await s.versions.archiveStage(row.model_id, to, row.version, s.now)) {
        await s.record({ action: 'version.stage.changed', modelId: row.model_id, modelName: model, version: other, before: { stage: to }, after: { stage: 'Archived' } });
      }
    });
    return this.get(name, version);
  }

  /** Deletes a version and its files. A version holding a protected alias needs an admin override. */
  async delete(name: string, version: string | number, options: OverrideOptions = {}): Promise<void> {
    let storage = '';
    await this.write(name, version, options, async (s, row, model) => {
      const aliases = await s.aliases.ofVersion(row.model_id, row.version);
      const guarded = await s.aliases.protectedAliases(row.model_id);
      const held = aliases.filter((a) => guarded.includes(a));
      if (held.length) requireOverride(s.actor, options, `Version ${row.version} of '${model}' holds @${held.join(', @')}`);
      for (const alias of aliases) {
        await s.record({ action: 'alias.deleted', modelId: row.model_id, modelName: model, alias, version: row.version, before: { version: row.version }, reason: options.reason ?? 'version deleted' });
      }
      await s.versions.delete({ modelId: row.model_id, version: row.version });
      await s.record({ action: 'version.deleted', modelId: row.model_id, modelName: model, version: row.version, before: { source: row.source, digest: row.digest }, reason: options.reason ?? null });
      storage = row.storage_path;
    });
    // The row is gone; its files follow (a failure here only leaves unreferenced bytes behind).
    await this.ctx.artifacts.delete(storage).catch(() => {});
  }

  async setTag(name: string, version: string | number, key: string, value: string, options: WriteOptions = {}): Promise<void> {
    const k = checkKey(key, 'key');
    const v = checkText(value, 'value', LIMITS.tagValueLength);
    await this.write(name, version, { ...options, touchModel: false }, async (s, row, model) => {
      const at = { modelId: row.model_id, version: row.version };
      const before = await s.versions.tag(at, k);
      await s.versions.setTag(at, k, v);
      await s.versions.update(at, {}, s.now);
      await s.record({ action: 'version.tag.set', modelId: row.model_id, modelName: model, version: row.version, key: k, before: before === undefined ? null : { value: before }, after: { value: v } });
    });
  }

  async deleteTag(name: string, version: string | number, key: string, options: WriteOptions = {}): Promise<void> {
    const k = checkKey(key, 'key');
    await this.write(name, version, { ...options, touchModel: false }, async (s, row, model) => {
      const at = { modelId: row.model_id, version: row.version };
      const before = await s.versions.tag(at, k);
      if (before === undefined || !(await s.versions.deleteTag(at, k))) throw notFound(`Tag '${k}' on version ${row.version} of '${model}'`);
      await s.record({ action: 'version.tag.deleted', modelId: row.model_id, modelName: model, version: row.version, key: k, before: { value: before } });
    });
  }

  /** The version's files: path, size and sha256 each, as recorded at registration. */
  async files(name: string, version: string | number): Promise<ModelFile[]> {
    const { row } = await this.row(name, version);
    return toManifest(row);
  }

  /**
   * Opens one registered file. Only files in the version's manifest are served, and the stream
   * fails at its end if the bytes no longer match the recorded sha256 (the store was tampered with).
   */
  async openFile(name: string, version: string | number, path: string): Promise<{ stream: Readable; size: number; sha256: string }> {
    const { row } = await this.row(name, version);
    const rel = validateRelativePath(path, 'path');
    if (row.external_uri !== null) {
      throw new CairnError('FAILED_PRECONDITION', `Version ${row.version} of '${name}' is external: Cairn recorded where its files are (${row.external_uri}) but holds none; fetch them from there.`);
    }
    const file = toManifest(row).find((f) => f.path === rel);
    if (!file) throw notFound(`File '${rel}' in version ${row.version} of '${name}'`, `List its files with \`cairn models show ${name}/${row.version}\`.`);
    const { stream } = await this.ctx.artifacts.get(`${row.storage_path}/${rel}`);
    const checked = verifying(file);
    stream.on('error', (e) => checked.destroy(e));
    return { stream: stream.pipe(checked), size: file.size, sha256: file.sha256 };
  }

  private async row(name: string, version: string | number): Promise<{ row: ModelVersionRow }> {
    const model = await this.ctx.requireModel(name);
    const v = parseVersion(model.name, version);
    const row = await this.ctx.versions.row(model.model_id, v);
    if (!row) throw versionNotFound(model.name, v);
    return { row };
  }

  /**
   * One write to a version in a transaction. The registered model's last_updated time moves with the
   * writes that change what the model holds (a stage, a deletion), not with a version's description
   * or tags (as MLflow keeps it: `touchModel: false`).
   */
  private async write(
    name: string,
    version: string | number,
    options: WriteOptions & { touchModel?: boolean },
    fn: (s: TxScope, row: ModelVersionRow, model: string) => Promise<void>,
  ): Promise<void> {
    await this.ctx.tx(options, async (s) => {
      const model = await lockModel(s, name);
      const v = parseVersion(model.name, version);
      const row = await s.versions.row(model.model_id, v);
      if (!row) throw versionNotFound(model.name, v);
      await fn(s, row, model.name);
      if (options.touchModel !== false) await s.models.touch(model.model_id, s.now);
    });
  }
}

function verifying(file: ModelFile): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const got = hash.digest('hex');
      if (got === file.sha256) return done();
      done(new CairnError('INTERNAL', `The stored bytes of '${file.path}' no longer match the sha256 recorded at registration (${file.sha256}); the artifact store was changed outside the registry.`));
    },
  });
}
