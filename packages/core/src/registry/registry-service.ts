import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../artifacts/index.js';
import { isUniqueViolation, type Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { CairnError, isCairnError, notFound } from '../errors.js';
import type { Page, Tags } from '../tracking/entities.js';
import { checkTags } from '../tracking/experiment-service.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import { checkKey, checkText, LIMITS } from '../tracking/validation.js';
import { AliasService } from './alias-service.js';
import { AuditService } from './audit-service.js';
import type { ModelVersion, RegisteredModel, Stage } from './entities.js';
import { GateService } from './gate-service.js';
import { LineageService } from './lineage-service.js';
import { parseModelRef } from './model-uri.js';
import { lockModel, modelNotFound, RegistryContext, type WriteOptions } from './registry-context.js';
import { searchModelRows, type RegistrySearchQuery } from './search/registry-search.js';
import type { ResolveCache, ResolveCacheStats } from './resolve-cache.js';
import { RegistryViewService } from './registry-view-service.js';
import { registryDb } from './sql/rows.js';
import { requireOverride, VersionService, type OverrideOptions } from './version-service.js';
import { checkDescription, checkModelName, checkStage, isPossibleModelName } from './validation.js';
import { WebhookService, type WebhookSettings } from './webhook-service.js';

export interface RegistryDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  artifacts: ArtifactStore;
  runs: RunService;
  experiments: ExperimentService;
  webhooks: WebhookSettings;
  /** Resolved aliases kept in memory; only with a change feed that invalidates it (see ResolveCache). */
  resolveCache?: ResolveCache | null;
  now?: () => number;
}

export interface CreateModelInput {
  name: string;
  description?: string | null;
  tags?: Tags;
}

/**
 * The model registry: registered models here, and one service per concern below it (versions,
 * aliases, gates, audit, webhooks, lineage). Every change is recorded in the audit log in the
 * transaction that makes it.
 *
 * @example
 * ```ts
 * await platform.registry.createModel({ name: 'churn', tags: { team: 'risk' } });
 * const v = await platform.registry.versions.create({ name: 'churn', source: `runs:/${runId}/model` });
 * await platform.registry.gates.promote('churn', v.version, 'champion');
 * const champion = await platform.registry.resolve('models:/churn@champion');
 * ```
 */
export class RegistryService {
  readonly versions: VersionService;
  readonly aliases: AliasService;
  readonly gates: GateService;
  readonly audit: AuditService;
  readonly webhooks: WebhookService;
  readonly lineage: LineageService;
  /** Reads for the web UI (file previews). */
  readonly views: RegistryViewService;
  private readonly ctx: RegistryContext;

  constructor(deps: RegistryDeps) {
    this.ctx = new RegistryContext(registryDb(deps.db), deps.dialect, deps.artifacts, deps.runs, deps.experiments, deps.now ?? Date.now, deps.resolveCache ?? null);
    this.versions = new VersionService(this.ctx);
    this.aliases = new AliasService(this.ctx);
    this.gates = new GateService(this.ctx, this.aliases);
    this.audit = new AuditService(this.ctx);
    this.webhooks = new WebhookService(this.ctx, deps.webhooks);
    this.lineage = new LineageService(this.ctx, (uri) => this.resolve(uri));
    this.views = new RegistryViewService(this.versions);
    this.ctx.onEvents = () => this.webhooks.dispatcher.kick();
  }

  async createModel(input: CreateModelInput, options: WriteOptions = {}): Promise<RegisteredModel> {
    const name = checkModelName(input?.name);
    const description = checkDescription(input.description);
    const tags = checkTags(input.tags ?? {});
    try {
      await this.ctx.tx(options, async (s) => {
        const row = await s.models.insert(name, description, tags, s.now);
        await s.record({ action: 'model.created', modelId: row.model_id, modelName: name, after: { name, description, tags } });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new CairnError('ALREADY_EXISTS', `A registered model named '${name}' already exists. Pick another name or add a version to it.`, { cause: e, details: { entity: 'registered_model', name } });
      throw e;
    }
    return this.getModel(name);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    const model = isPossibleModelName(name) ? await this.ctx.models.loadByName(name) : undefined;
    if (!model) throw modelNotFound(name);
    return model;
  }

  async renameModel(name: string, newName: string, options: WriteOptions = {}): Promise<RegisteredModel> {
    const to = checkModelName(newName, 'newName');
    try {
      await this.ctx.tx(options, async (s) => {
        const row = await lockModel(s, name);
        if (row.name === to) return;
        await s.models.touch(row.model_id, s.now, { name: to });
        await s.record({ action: 'model.renamed', modelId: row.model_id, modelName: to, before: { name: row.name }, after: { name: to } });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new CairnError('ALREADY_EXISTS', `A registered model named '${to}' already exists.`, { cause: e, details: { entity: 'registered_model', name: to } });
      throw e;
    }
    return this.getModel(to);
  }

  async updateModel(name: string, input: { description?: string | null }, options: WriteOptions = {}): Promise<RegisteredModel> {
    const description = checkDescription(input.description);
    await this.ctx.tx(options, async (s) => {
      const row = await lockModel(s, name);
      await s.models.touch(row.model_id, s.now, { description });
      await s.record({ action: 'model.updated', modelId: row.model_id, modelName: row.name, before: { description: row.description }, after: { description } });
    });
    return this.getModel(name);
  }

  /** Deletes the model with its versions, aliases and gates. Protected aliases need an admin override. */
  async deleteModel(name: string, options: OverrideOptions = {}): Promise<void> {
    await this.ctx.tx(options, async (s) => {
      const row = await lockModel(s, name);
      const aliases = await s.aliases.ofModel(row.model_id);
      const guarded = await s.aliases.protectedAliases(row.model_id);
      const held = aliases.filter((a) => guarded.includes(a.alias)).map((a) => a.alias);
      if (held.length) requireOverride(s.actor, options, `Model '${row.name}' holds the protected alias${held.length > 1 ? 'es' : ''} @${held.join(', @')}`);
      for (const a of aliases) {
        await s.record({ action: 'alias.deleted', modelId: row.model_id, modelName: row.name, alias: a.alias, before: { version: a.version }, reason: 'model deleted' });
      }
      await s.models.delete(row.model_id);
      await s.record({ action: 'model.deleted', modelId: row.model_id, modelName: row.name, before: { name: row.name, description: row.description }, reason: options.reason ?? null });
    });
  }

  async searchModels(query: RegistrySearchQuery = {}): Promise<Page<RegisteredModel>> {
    const { rows, nextPageToken } = await searchModelRows(this.ctx.db, this.ctx.dialect, query);
    return { items: await this.ctx.models.load(rows), nextPageToken };
  }

  async setModelTag(name: string, key: string, value: string, options: WriteOptions = {}): Promise<void> {
    const k = checkKey(key, 'key');
    const v = checkText(value, 'value', LIMITS.tagValueLength);
    await this.ctx.tx(options, async (s) => {
      const row = await lockModel(s, name);
      const before = (await s.models.tags(row.model_id))[k];
      await s.models.setTag(row.model_id, k, v);
      await s.models.touch(row.model_id, s.now);
      await s.record({ action: 'model.tag.set', modelId: row.model_id, modelName: row.name, key: k, before: before === undefined ? null : { value: before }, after: { value: v } });
    });
  }

  async deleteModelTag(name: string, key: string, options: WriteOptions = {}): Promise<void> {
    const k = checkKey(key, 'key');
    await this.ctx.tx(options, async (s) => {
      const row = await lockModel(s, name);
      const before = (await s.models.tags(row.model_id))[k];
      if (before === undefined || !(await s.models.deleteTag(row.model_id, k))) throw notFound(`Tag '${k}' on model '${row.name}'`);
      await s.models.touch(row.model_id, s.now);
      await s.record({ action: 'model.tag.deleted', modelId: row.model_id, modelName: row.name, key: k, before: { value: before } });
    });
  }

  /**
   * Resolves `models:/NAME/3`, `models:/NAME@alias`, `models:/NAME/latest` (or the short forms
   * `NAME/3`, `NAME@alias`) to the version it names. An alias is one prepared, indexed query; on
   * PostgreSQL its answers are also cached, invalidated by every registry write in any process.
   *
   * @example
   * ```ts
   * const v = await registry.resolve('churn@champion');
   * console.log(v.version, v.digest);
   * ```
   */
  async resolve(uri: string): Promise<ModelVersion> {
    const ref = parseModelRef(uri);
    if (ref.kind === 'alias') {
      const found = await this.ctx.resolveAlias(ref.name, ref.alias);
      if (found) return found;
      await this.ctx.requireModel(ref.name);
      throw notFound(`Alias @${ref.alias} of model '${ref.name}'`, `Set it with \`cairn models alias ${ref.name} ${ref.alias} VERSION\`.`);
    }
    if (ref.kind === 'version') return this.versions.get(ref.name, ref.version);
    const model = await this.ctx.requireModel(ref.name);
    const row = await this.ctx.versions.latest(model.model_id, ref.kind === 'stage' ? ref.stage : null);
    if (!row) throw notFound(`A READY version of model '${model.name}'${ref.kind === 'stage' ? ` in stage ${ref.stage}` : ''}`);
    return (await this.ctx.versions.loadOne(model.name, row.model_id, row.version))!;
  }

  /** MLflow's get-latest-versions: the newest READY version in each stage asked (all stages if none). */
  async latestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const model = await this.getModel(name);
    if (!stages.length) return model.latestVersions;
    const wanted = new Set<Stage>(stages.map(checkStage));
    return model.latestVersions.filter((v) => wanted.has(v.stage));
  }

  /**
   * Records an event about a model that changes nothing in the registry (a monitoring alert), so it
   * lands in the audit log and reaches the webhooks subscribed to it, signed like any other.
   *
   * @example
   * ```ts
   * await registry.recordEvent('churn', { action: 'monitoring.alert', version: 3, after: { alerts } });
   * ```
   */
  async recordEvent(name: string, event: { action: string; version?: number | null; after?: unknown; reason?: string | null }, options: WriteOptions = {}): Promise<number> {
    if (!/^[a-z_]+(\.[a-z_]+)+$/.test(event.action) || event.action.length > 64) throw new CairnError('INVALID_ARGUMENT', `Invalid event action '${String(event.action).slice(0, 64)}': use dotted lowercase words such as 'monitoring.alert'.`);
    return this.ctx.tx(options, async (s) => {
      const row = await lockModel(s, name);
      return s.record({ action: event.action, modelId: row.model_id, modelName: row.name, version: event.version ?? null, after: event.after, reason: event.reason ?? null });
    });
  }

  /** The resolve cache's state and counters (PostgreSQL), or null when resolves are not cached. */
  resolveCacheStats(): ResolveCacheStats | null {
    return this.ctx.resolveCache?.stats() ?? null;
  }

  /** Whether a reference names an existing version (no error for NOT_FOUND). */
  async exists(uri: string): Promise<boolean> {
    try {
      await this.resolve(uri);
      return true;
    } catch (e) {
      if (isCairnError(e, 'NOT_FOUND')) return false;
      throw e;
    }
  }

  /** Stops background webhook delivery; the platform calls this on close. */
  async close(): Promise<void> {
    await this.webhooks.dispatcher.stop();
  }
}

