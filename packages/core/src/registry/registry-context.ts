import { userInfo } from 'node:os';
import type { ArtifactStore } from '../artifacts/index.js';
import type { Dialect } from '../db/database.js';
import { notFound, type CairnError } from '../errors.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import type { Actor, ModelVersion } from './entities.js';
import type { ResolveCache } from './resolve-cache.js';
import { AliasStore } from './sql/alias-store.js';
import { announceChanges } from './sql/change-notice.js';
import { appendEvent, type NewEvent } from './sql/event-store.js';
import { ModelStore } from './sql/model-store.js';
import type { RegisteredModelRow, RegistryDb, RegistryTrx } from './sql/rows.js';
import { VersionStore } from './sql/version-store.js';
import { isPossibleModelName } from './validation.js';

/** Options of every registry write: who is acting (recorded in the audit log). */
export interface WriteOptions {
  actor?: Actor;
}

/** The stores of one transaction, and a way to record what it changed. */
export interface TxScope {
  trx: RegistryTrx;
  models: ModelStore;
  versions: VersionStore;
  aliases: AliasStore;
  now: number;
  actor: Actor;
  /** Appends an audit event (and queues its webhook deliveries) in this transaction. */
  record(event: Omit<NewEvent, 'time' | 'actor'>): Promise<number>;
}

/**
 * What the registry's services share: the database, the artifact store, the run service (sources,
 * gate values, lineage) and the clock. Internal to the registry.
 */
export class RegistryContext {
  readonly models: ModelStore;
  readonly versions: VersionStore;
  readonly aliases: AliasStore;
  /** Called after a transaction that recorded events commits (the webhook dispatcher listens). */
  onEvents: () => void = () => {};

  constructor(
    readonly db: RegistryDb,
    readonly dialect: Dialect,
    readonly artifacts: ArtifactStore,
    readonly runs: RunService,
    readonly experiments: ExperimentService,
    readonly now: () => number = Date.now,
    /** Resolved aliases kept in memory (PostgreSQL with a change feed), or null. */
    readonly resolveCache: ResolveCache | null = null,
  ) {
    this.models = new ModelStore(db, dialect);
    this.versions = new VersionStore(db, dialect);
    this.aliases = new AliasStore(db, dialect);
  }

  /**
   * Runs `fn` in one transaction with the stores bound to it. Every model an event names (and a
   * renamed model's old name) is announced to other processes at commit, and forgotten by this
   * process's resolve cache before the caller sees the write acknowledged.
   */
  async tx<T>(options: WriteOptions, fn: (s: TxScope) => Promise<T>): Promise<T> {
    const actor = options.actor ?? localActor();
    const changed = new Set<string>();
    let result: T;
    try {
      result = await this.db.transaction().execute(async (trx) => {
        const now = this.now();
        const out = await fn({
          trx,
          models: new ModelStore(trx, this.dialect),
          versions: new VersionStore(trx, this.dialect),
          aliases: new AliasStore(trx, this.dialect),
          now,
          actor,
          record: (e) => {
            changed.add(e.modelName);
            const before = e.before as { name?: unknown } | null | undefined;
            if (typeof before?.name === 'string') changed.add(before.name);
            return appendEvent(trx, { ...e, time: now, actor: actor.name });
          },
        });
        await announceChanges(trx, this.dialect, changed);
        return out;
      });
    } finally {
      // Also after a failure: a commit whose answer was lost may still have happened.
      for (const name of changed) this.resolveCache?.invalidate(name);
    }
    if (changed.size) this.onEvents();
    return result;
  }

  /** The version `NAME@alias` points to (through the resolve cache when there is one). */
  resolveAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    return this.resolveCache ? this.resolveCache.get(name, alias, () => this.aliases.resolve(name, alias)) : this.aliases.resolve(name, alias);
  }

  /** The model row, or NOT_FOUND naming it. */
  async requireModel(name: string): Promise<RegisteredModelRow> {
    const row = isPossibleModelName(name) ? await this.models.byName(name) : undefined;
    if (!row) throw modelNotFound(name);
    return row;
  }
}

export function modelNotFound(name: string): CairnError {
  return notFound(`Registered model '${String(name).slice(0, 256)}'`, 'List models with `cairn models list`.', { entity: 'registered_model', name });
}

export function versionNotFound(name: string, version: number | string): CairnError {
  return notFound(`Version ${version} of model '${name}'`, `List its versions with \`cairn models versions ${name}\`.`, { entity: 'model_version', name, version });
}

/** In-process callers open the store directly, which is an admin's access (as `cairn tokens`). */
export function localActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return { name, role: 'admin' };
}

/** Within a transaction: the model row (locked on PostgreSQL), or NOT_FOUND. */
export async function lockModel(s: TxScope, name: string): Promise<RegisteredModelRow> {
  const row = isPossibleModelName(name) ? await s.models.lock(name) : undefined;
  if (!row) throw modelNotFound(name);
  return row;
}
