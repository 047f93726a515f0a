import { CairnError, notFound } from '../errors.js';
import { checkSafeInteger } from '../tracking/validation.js';
import type { AuditEvent, ModelVersion } from './entities.js';
import { lockModel, versionNotFound, type RegistryContext, type TxScope } from './registry-context.js';
import { aliasEventAt, listEvents, modelIdFromEvents } from './sql/event-store.js';
import { checkAlias, isPossibleAlias, isPossibleModelName, parseVersion } from './validation.js';
import { requireOverride, type OverrideOptions } from './version-service.js';

export interface AliasAt {
  model: string;
  alias: string;
  time: number;
  /** The version the alias pointed to at `time`, or null when it pointed nowhere. */
  version: number | null;
  /** The event that put it there (or removed it). */
  event: AuditEvent | null;
}

/** Aliases (`@champion`, `@staging`): set, move, delete, resolve, and where they pointed in the past. */
export class AliasService {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * Points an alias at a version (creating or moving it). A protected alias moves only through its
   * gate; here only an admin may move it, with `force` and a `reason` that the audit log keeps.
   *
   * @example
   * ```ts
   * await registry.aliases.set('churn', 'staging', 4);
   * ```
   */
  async set(name: string, alias: string, version: string | number, options: OverrideOptions = {}): Promise<void> {
    const a = checkAlias(alias);
    await this.ctx.tx(options, async (s) => {
      const model = await lockModel(s, name);
      const v = parseVersion(model.name, version);
      const gate = await s.aliases.gate(model.model_id, model.name, a);
      if (gate?.protected) requireOverride(s.actor, options, `@${a} of '${model.name}' is guarded by a gate`);
      await this.move(s, model.model_id, model.name, a, v, options.force && gate?.protected ? options.reason ?? null : null);
    });
  }

  /**
   * Moves the alias inside the caller's transaction, recording the event. With `expected` it is a
   * compare-and-set: it fails with CONFLICT if the alias no longer points where the caller saw it.
   */
  async move(s: TxScope, modelId: string, modelName: string, alias: string, version: number, reason: string | null, expected?: number | null): Promise<void> {
    const row = await s.versions.row(modelId, version);
    if (!row) throw versionNotFound(modelName, version);
    if (row.status !== 'READY') throw new CairnError('FAILED_PRECONDITION', `Version ${version} of '${modelName}' is ${row.status}; only READY versions can hold an alias.`);
    const before = await s.aliases.get(modelId, alias);
    if (expected !== undefined && before !== expected) {
      throw new CairnError('CONFLICT', `@${alias} of '${modelName}' moved to ${before === null ? 'nothing' : `version ${before}`} while the gate was evaluated; promote again.`);
    }
    if (before === version) return;
    await s.aliases.set(modelId, alias, version, s.now);
    await s.models.touch(modelId, s.now);
    await s.record({ action: 'alias.moved', modelId, modelName, alias, version, before: before === null ? null : { version: before }, after: { version }, reason });
  }

  async delete(name: string, alias: string, options: OverrideOptions = {}): Promise<void> {
    const a = checkAlias(alias);
    await this.ctx.tx(options, async (s) => {
      const model = await lockModel(s, name);
      const before = await s.aliases.get(model.model_id, a);
      if (before === null) throw notFound(`Alias @${a} of model '${model.name}'`);
      const gate = await s.aliases.gate(model.model_id, model.name, a);
      if (gate?.protected) requireOverride(s.actor, options, `@${a} of '${model.name}' is guarded by a gate`);
      await s.aliases.delete(model.model_id, a);
      await s.models.touch(model.model_id, s.now);
      await s.record({ action: 'alias.deleted', modelId: model.model_id, modelName: model.name, alias: a, version: before, before: { version: before }, reason: options.reason ?? null });
    });
  }

  /** The version an alias points to now. */
  async get(name: string, alias: string): Promise<ModelVersion> {
    const found = isPossibleModelName(name) && isPossibleAlias(alias) ? await this.ctx.resolveAlias(name, alias) : undefined;
    if (found) return found;
    await this.ctx.requireModel(name);
    throw notFound(`Alias @${String(alias).slice(0, 255)} of model '${name}'`, `Set it with \`cairn models alias ${name} ${String(alias).slice(0, 40)} VERSION\`.`);
  }

  /**
   * Time travel: which version held the alias at `time` (epoch ms), from the audit log. Works for
   * renamed and deleted models too (by the name they had).
   *
   * @example
   * ```ts
   * const then = await registry.aliases.at('churn', 'champion', Date.parse('2024-06-01T00:00:00Z'));
   * ```
   */
  async at(name: string, alias: string, time: number): Promise<AliasAt> {
    const a = checkAlias(alias);
    const t = checkSafeInteger(time, 'time');
    const modelId = await this.modelId(name);
    const event = await aliasEventAt(this.ctx.db, modelId, a, t);
    const version = event && event.action === 'alias.moved' ? ((event.after as { version: number }).version ?? null) : null;
    return { model: name, alias: a, time: t, version, event };
  }

  /** Every move of one alias, newest first. */
  async history(name: string, alias: string, limit = 100): Promise<AuditEvent[]> {
    const a = checkAlias(alias);
    const modelId = await this.modelId(name);
    const events = await listEvents(this.ctx.db, { modelId, alias: a, action: 'alias.*', limit });
    return events;
  }

  private async modelId(name: string): Promise<string> {
    const row = isPossibleModelName(name) ? await this.ctx.models.byName(name) : undefined;
    const id = row?.model_id ?? (isPossibleModelName(name) ? await modelIdFromEvents(this.ctx.db, name) : null);
    if (!id) throw notFound(`Registered model '${String(name).slice(0, 256)}' (now or in the audit log)`);
    return id;
  }
}
