import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Tags } from '../../tracking/entities.js';
import type { RegisteredModel } from '../entities.js';
import { modelExtras, modelFromRow, versionExtras, versionFromRow, type WithExtras } from './extras.js';
import { tagsOf } from './row-mappers.js';
import type { ModelVersionRow, RegisteredModelRow, RegistryDb, RegistryTrx } from './rows.js';

/** SQL persistence of registered models, their tags and aliases (SQLite and PostgreSQL alike). */
export class ModelStore {
  constructor(private readonly db: RegistryDb | RegistryTrx, private readonly dialect: Dialect) {}

  async insert(name: string, description: string | null, tags: Tags, now: number): Promise<RegisteredModelRow> {
    const row: RegisteredModelRow = { model_id: randomUUID().replaceAll('-', ''), name, description, creation_time: now, last_updated_time: now, version_counter: 0 };
    await this.db.insertInto('registered_models').values(row).execute();
    const entries = Object.entries(tags);
    if (entries.length) await this.db.insertInto('registered_model_tags').values(entries.map(([key, value]) => ({ model_id: row.model_id, key, value }))).execute();
    return row;
  }

  async byName(name: string): Promise<RegisteredModelRow | undefined> {
    return this.db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /**
   * Reads the model row inside a transaction and, on PostgreSQL, locks it: writers of one model
   * (alias moves, promotions) then run one after another. SQLite transactions already hold the
   * database's write lock (BEGIN IMMEDIATE).
   */
  async lock(name: string): Promise<RegisteredModelRow | undefined> {
    return this.db
      .selectFrom('registered_models')
      .selectAll()
      .where('name', '=', name)
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
  }

  async touch(modelId: string, now: number, set: { name?: string; description?: string | null } = {}): Promise<void> {
    await this.db.updateTable('registered_models').set({ ...set, last_updated_time: now }).where('model_id', '=', modelId).execute();
  }

  /** Hands out the next version number; must run in the transaction that inserts the version. */
  async nextVersion(modelId: string, now: number): Promise<number> {
    const row = await this.db
      .updateTable('registered_models')
      .set((eb) => ({ version_counter: eb('version_counter', '+', 1), last_updated_time: now }))
      .where('model_id', '=', modelId)
      .returning('version_counter')
      .executeTakeFirstOrThrow();
    return row.version_counter;
  }

  async delete(modelId: string): Promise<void> {
    await this.db.deleteFrom('registered_models').where('model_id', '=', modelId).execute();
  }

  async tags(modelId: string): Promise<Tags> {
    return tagsOf(await this.db.selectFrom('registered_model_tags').select(['key', 'value']).where('model_id', '=', modelId).execute());
  }

  async setTag(modelId: string, key: string, value: string): Promise<void> {
    await this.db
      .insertInto('registered_model_tags')
      .values({ model_id: modelId, key, value })
      .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value }))
      .execute();
  }

  async deleteTag(modelId: string, key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('registered_model_tags').where('model_id', '=', modelId).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** One model with its tags, aliases and latest versions, or undefined. */
  async loadByName(name: string): Promise<RegisteredModel | undefined> {
    const { rows } = await sql<RegisteredModelRow & WithExtras>`select m.*, ${modelExtras(this.dialect)} from registered_models m where m.name = ${name}`.execute(this.db);
    return rows.length ? (await this.load(rows))[0] : undefined;
  }

  /**
   * Completes models selected with {@link modelExtras} with their latest READY version per stage:
   * one more query for the whole page.
   */
  async load(rows: Array<RegisteredModelRow & WithExtras>): Promise<RegisteredModel[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.model_id);
    const { rows: latest } = await sql<ModelVersionRow & WithExtras>`select v.*, ${versionExtras(this.dialect)} from model_versions v join (
        select model_id, current_stage, max(version) as version from model_versions
        where model_id in (${sql.join(ids)}) and status = 'READY' group by model_id, current_stage
      ) l on l.model_id = v.model_id and l.version = v.version`.execute(this.db);
    const names = new Map(rows.map((r) => [r.model_id, r.name]));
    const versions = latest.map((v) => versionFromRow(names.get(v.model_id)!, v)).sort((a, b) => a.version - b.version);
    return rows.map((r) => modelFromRow(r, versions.filter((v) => v.name === r.name)));
  }
}
