import { createHash } from 'node:crypto';
import { CairnError, notFound } from '../../errors.js';
import { compileDefinitions, specDigest } from '../compile-definitions.js';
import type { Definition } from '../define.js';
import type {
  ApplyResult, FeatureServiceSpec, FeatureViewSpec, ObjectKind, ObjectSpec, OnDemandFeatureViewSpec, Plan, RegistryVersion, StoredObject,
} from '../entities.js';
import { OBJECT_KINDS } from '../entities.js';
import type { FeatureRegistryStore } from '../sql/feature-registry-store.js';
import { diffObjects, findBreakingChanges } from './registry-diff.js';

export interface FeatureRegistryOptions {
  /** How long a process trusts its cache before checking whether another process applied (ms). */
  refreshMs?: number;
  now?: () => number;
  /** Runs and models that consumed a feature service (through training datasets). */
  consumers?: (service: string) => Promise<{ runs: string[]; models: Array<{ name: string; version: string }> }>;
}

const KIND_LABEL: Record<ObjectKind, string> = {
  entity: 'Entity', source: 'Source', featureView: 'Feature view', onDemandFeatureView: 'On-demand feature view', featureService: 'Feature service',
};

/**
 * Plans and applies definitions, keeps every applied version, and answers lookups by name. Lookups
 * read and parse only the objects asked for, cached until the registry version changes.
 *
 * @example
 * ```ts
 * const plan = await registry.plan(await loadDefinitions('features'));
 * if (!plan.breaking.length) await registry.apply(defs);
 * const view = await registry.getView('driver_stats');
 * ```
 */
export class FeatureRegistry {
  private cache = new Map<string, StoredObject | null>();
  private cacheVersion = -1;
  private bySource: Map<string, FeatureViewSpec[]> | null = null;
  private checkedAt = -Infinity;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly store: FeatureRegistryStore, private readonly options: FeatureRegistryOptions = {}) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** What `apply` would change, and which of the changes break feature-service consumers. */
  async plan(definitions: Definition[]): Promise<Plan> {
    return (await this.prepare(definitions)).plan;
  }

  /**
   * Stores the definitions as a new registry version in one transaction. Refuses (FAILED_PRECONDITION)
   * when a change breaks a feature service's consumers, unless `force`.
   */
  async apply(definitions: Definition[], options: { force?: boolean } = {}): Promise<ApplyResult> {
    const { plan, next } = await this.prepare(definitions);
    if (!plan.changes.length) return { ...plan, version: plan.fromVersion, applied: false };
    if (plan.breaking.length && !options.force) {
      const lines = plan.breaking.map((b) => `  ${b.service}: ${b.feature} (${b.reason})${b.models.length ? `; models ${b.models.map((m) => `${m.name} v${m.version}`).join(', ')}` : ''}`);
      throw new CairnError('FAILED_PRECONDITION', `This apply breaks feature services:\n${lines.join('\n')}\nKeep the features, publish a new feature service, or re-run with --force.`, { details: { breaking: plan.breaking } });
    }
    const current = new Map((await this.store.listObjects()).map((o) => [`${o.kind}:${o.name}`, o]));
    // An object added back after a removal continues its numbering (its old versions stay readable).
    const last = await this.store.lastVersionNumbers();
    const writes = plan.changes.map((c) => {
      const n = next.find((x) => x.spec.kind === c.kind && x.spec.name === c.name);
      const prev = current.get(`${c.kind}:${c.name}`);
      return { kind: c.kind, name: c.name, version: (c.fromVersion ?? last.get(`${c.kind}:${c.name}`) ?? 0) + 1, digest: n?.digest ?? prev?.digest ?? '', spec: n?.spec ?? null };
    });
    const digest = createHash('sha256').update(next.map((n) => `${n.spec.kind}:${n.spec.name}:${n.digest}`).sort().join('\n')).digest('hex');
    const count = (t: string) => plan.changes.filter((c) => c.change === t).length;
    const version = await this.store.apply(plan.fromVersion, writes, {
      digest, forced: !!options.force && plan.breaking.length > 0, now: this.now(), counts: { added: count('added'), changed: count('changed'), removed: count('removed') },
    });
    this.invalidate();
    return { ...plan, version, applied: true };
  }

  private async prepare(definitions: Definition[]) {
    const { specs } = compileDefinitions(definitions);
    const next = specs.map((spec) => ({ spec, digest: specDigest(spec) }));
    const fromVersion = await this.store.headVersion();
    const current = await this.store.listObjects(undefined, fromVersion);
    const changes = diffObjects(current, next);
    const consumers = this.options.consumers ?? (async () => ({ runs: [], models: [] }));
    const breaking = await findBreakingChanges(current, specs, consumers);
    return { plan: { fromVersion, changes, breaking } satisfies Plan, next };
  }

  async version(): Promise<number> {
    return this.store.headVersion();
  }

  /** The registry version this process's cache reflects (checked at most every `refreshMs`). */
  async cachedVersion(): Promise<number> {
    await this.refresh();
    return this.cacheVersion;
  }

  async versions(): Promise<RegistryVersion[]> {
    return this.store.listVersions();
  }

  /** Objects in force now, or at an earlier registry version. */
  async list(kind?: ObjectKind, atVersion?: number): Promise<StoredObject[]> {
    return this.store.listObjects(kind, atVersion);
  }

  /** Every object of any kind with this name (an entity and a view may share one). */
  async find(name: string, atVersion?: number): Promise<StoredObject[]> {
    const found = await Promise.all(OBJECT_KINDS.map((k) => this.store.getObject(k, name, atVersion)));
    return found.filter((o): o is StoredObject => o !== null);
  }

  async history(kind: ObjectKind, name: string) {
    return this.store.history(kind, name);
  }

  async getObjectVersion(kind: ObjectKind, name: string, version: number): Promise<StoredObject | null> {
    return this.store.getObjectVersion(kind, name, version);
  }

  async getView(name: string): Promise<StoredObject<FeatureViewSpec>> {
    return this.require('featureView', name) as Promise<StoredObject<FeatureViewSpec>>;
  }

  async getService(name: string): Promise<StoredObject<FeatureServiceSpec>> {
    return this.require('featureService', name) as Promise<StoredObject<FeatureServiceSpec>>;
  }

  /** A feature view or an on-demand feature view by name, or null. */
  async findAnyView(name: string): Promise<StoredObject<FeatureViewSpec> | StoredObject<OnDemandFeatureViewSpec> | null> {
    return ((await this.lookup('featureView', name)) ?? (await this.lookup('onDemandFeatureView', name))) as StoredObject<FeatureViewSpec> | StoredObject<OnDemandFeatureViewSpec> | null;
  }

  /** The views reading a source, from an index built once per registry version. */
  async viewsReadingSource(source: string): Promise<FeatureViewSpec[]> {
    await this.refresh();
    if (!this.bySource) {
      const index = new Map<string, FeatureViewSpec[]>();
      for (const o of await this.store.listObjects('featureView', this.cacheVersion)) {
        const v = o.spec as FeatureViewSpec;
        index.set(v.source.name, [...(index.get(v.source.name) ?? []), v]);
      }
      this.bySource = index;
    }
    return this.bySource.get(source) ?? [];
  }

  private async require(kind: ObjectKind, name: string): Promise<StoredObject<ObjectSpec>> {
    const found = await this.lookup(kind, name);
    if (!found) throw notFound(`${KIND_LABEL[kind]} '${name}'`, `List them with 'cairn features list'; define it under features/ and run 'cairn features apply'.`);
    return found;
  }

  private async refresh(): Promise<void> {
    const t = this.now();
    if (t - this.checkedAt < this.refreshMs) return;
    const head = await this.store.headVersion();
    this.checkedAt = t;
    if (head !== this.cacheVersion) {
      this.cache.clear();
      this.bySource = null;
      this.cacheVersion = head;
    }
  }

  private async lookup(kind: ObjectKind, name: string): Promise<StoredObject | null> {
    await this.refresh();
    const k = `${kind}:${name}`;
    if (this.cache.has(k)) return this.cache.get(k)!;
    const found = await this.store.getObject(kind, name, this.cacheVersion);
    this.cache.set(k, found);
    return found;
  }

  private invalidate(): void {
    this.cache.clear();
    this.bySource = null;
    this.checkedAt = -Infinity;
    this.cacheVersion = -1;
  }
}
