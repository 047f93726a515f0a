import type { Kysely } from 'kysely';
import { CairnError } from '../../errors.js';
import { isUniqueViolation } from '../../db/database.js';
import type { ObjectKind, ObjectSpec, RegistryVersion, StoredObject } from '../entities.js';
import type { FeatureObjectRow, FeatureTables } from './rows.js';

export interface ObjectWrite { kind: ObjectKind; name: string; version: number; digest: string; spec: ObjectSpec | null }

const toObject = (r: FeatureObjectRow): StoredObject => ({
  kind: r.kind as ObjectKind,
  name: r.name,
  version: Number(r.version),
  registryVersion: Number(r.registry_version),
  digest: r.digest,
  spec: JSON.parse(r.spec!) as ObjectSpec,
  createdTime: Number(r.created_time),
});

/** The registry's SQL: one row per object version, one row per apply. Same queries on both dialects. */
export class FeatureRegistryStore {
  constructor(private readonly db: Kysely<FeatureTables>) {}

  async headVersion(): Promise<number> {
    const row = await this.db.selectFrom('feature_registry_versions').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
    return Number(row?.v ?? 0);
  }

  /** The version of `kind`/`name` in force at registry version `at` (default: now), or null if absent or removed. */
  async getObject(kind: ObjectKind, name: string, at?: number): Promise<StoredObject | null> {
    let q = this.db.selectFrom('feature_objects').selectAll().where('kind', '=', kind).where('name', '=', name);
    if (at !== undefined) q = q.where('registry_version', '<=', at);
    const row = await q.orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row && !row.removed ? toObject(row) : null;
  }

  async getObjectVersion(kind: ObjectKind, name: string, version: number): Promise<StoredObject | null> {
    const row = await this.db.selectFrom('feature_objects').selectAll()
      .where('kind', '=', kind).where('name', '=', name).where('version', '=', version).executeTakeFirst();
    return row && !row.removed ? toObject(row) : null;
  }

  /** Every object in force at registry version `at` (default: now), optionally of one kind. */
  async listObjects(kind?: ObjectKind, at?: number): Promise<StoredObject[]> {
    let latest = this.db.selectFrom('feature_objects').select(['kind', 'name']).select((eb) => eb.fn.max('version').as('version')).groupBy(['kind', 'name']);
    if (at !== undefined) latest = latest.where('registry_version', '<=', at);
    if (kind) latest = latest.where('kind', '=', kind);
    const rows = await this.db
      .selectFrom('feature_objects as o')
      .innerJoin(latest.as('l'), (j) => j.onRef('l.kind', '=', 'o.kind').onRef('l.name', '=', 'o.name').onRef('l.version', '=', 'o.version'))
      .selectAll('o')
      .where('o.removed', '=', 0)
      .orderBy('o.kind').orderBy('o.name')
      .execute();
    return rows.map(toObject);
  }

  /** The highest version number of every object ever stored, removed ones included (`kind:name` keys). */
  async lastVersionNumbers(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('feature_objects').select(['kind', 'name']).select((eb) => eb.fn.max('version').as('version')).groupBy(['kind', 'name']).execute();
    return new Map(rows.map((r) => [`${r.kind}:${r.name}`, Number(r.version)]));
  }

  async history(kind: ObjectKind, name: string): Promise<Array<StoredObject | { kind: ObjectKind; name: string; version: number; registryVersion: number; removed: true }>> {
    const rows = await this.db.selectFrom('feature_objects').selectAll().where('kind', '=', kind).where('name', '=', name).orderBy('version').execute();
    return rows.map((r) => (r.removed ? { kind, name, version: Number(r.version), registryVersion: Number(r.registry_version), removed: true as const } : toObject(r)));
  }

  async listVersions(): Promise<RegistryVersion[]> {
    const rows = await this.db.selectFrom('feature_registry_versions').selectAll().orderBy('version', 'desc').execute();
    return rows.map((r) => ({
      version: Number(r.version), appliedTime: Number(r.applied_time), digest: r.digest, forced: !!r.forced,
      summary: { added: Number(r.added), changed: Number(r.changed), removed: Number(r.removed) },
    }));
  }

  /**
   * Stores one apply in one transaction. Fails with CONFLICT when another apply landed since
   * `expectedHead` was read (the plan it was checked against is stale).
   */
  async apply(expectedHead: number, writes: ObjectWrite[], meta: { digest: string; forced: boolean; now: number; counts: { added: number; changed: number; removed: number } }): Promise<number> {
    const version = expectedHead + 1;
    try {
      await this.db.transaction().execute(async (trx) => {
        const head = await trx.selectFrom('feature_registry_versions').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
        if (Number(head?.v ?? 0) !== expectedHead) throw conflict();
        await trx.insertInto('feature_registry_versions').values({
          version, applied_time: meta.now, digest: meta.digest, forced: meta.forced ? 1 : 0, ...meta.counts,
        }).execute();
        for (let i = 0; i < writes.length; i += 200) {
          await trx.insertInto('feature_objects').values(writes.slice(i, i + 200).map((w) => ({
            kind: w.kind, name: w.name, version: w.version, registry_version: version, digest: w.digest,
            spec: w.spec ? JSON.stringify(w.spec) : null, removed: w.spec ? 0 : 1, created_time: meta.now,
          }))).execute();
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(e);
      throw e;
    }
    return version;
  }
}

const conflict = (cause?: unknown) =>
  new CairnError('CONFLICT', 'Another `cairn features apply` changed the registry while this one ran. Run plan again and re-apply.', { cause });
