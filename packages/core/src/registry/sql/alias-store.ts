import type { Dialect } from '../../db/database.js';
import { prepared } from '../../db/prepared-statement.js';
import type { GatePolicy, ModelVersion } from '../entities.js';
import { versionColumns, versionExtras, versionFromRow, type WithExtras } from './extras.js';
import { toGate } from './row-mappers.js';
import type { ModelVersionRow, RegistryDb, RegistryTrx } from './rows.js';

/** Aliases and the gate policies that guard them (SQLite and PostgreSQL alike). */
export class AliasStore {
  constructor(private readonly db: RegistryDb | RegistryTrx, private readonly dialect: Dialect) {}

  async get(modelId: string, alias: string): Promise<number | null> {
    const row = await this.db.selectFrom('model_aliases').select('version').where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
    return row?.version ?? null;
  }

  async set(modelId: string, alias: string, version: number, now: number): Promise<void> {
    await this.db
      .insertInto('model_aliases')
      .values({ model_id: modelId, alias, version, updated_time: now })
      .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version, updated_time: now }))
      .execute();
  }

  async delete(modelId: string, alias: string): Promise<boolean> {
    const r = await this.db.deleteFrom('model_aliases').where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async ofVersion(modelId: string, version: number): Promise<string[]> {
    const rows = await this.db.selectFrom('model_aliases').select('alias').where('model_id', '=', modelId).where('version', '=', version).orderBy('alias').execute();
    return rows.map((r) => r.alias);
  }

  async ofModel(modelId: string): Promise<Array<{ alias: string; version: number }>> {
    return this.db.selectFrom('model_aliases').select(['alias', 'version']).where('model_id', '=', modelId).orderBy('alias').execute();
  }

  /**
   * The version an alias points to, with its tags and aliases, in one statement (the resolve path).
   * A prepared SQL template: the query builder, and PostgreSQL's planner, would each cost more than
   * the query itself.
   */
  async resolve(name: string, alias: string): Promise<ModelVersion | undefined> {
    const { rows } = await prepared<ModelVersionRow & WithExtras>`select ${versionColumns}, ${versionExtras(this.dialect)} from registered_models m
      join model_aliases a on a.model_id = m.model_id
      join model_versions v on v.model_id = a.model_id and v.version = a.version
      where m.name = ${name} and a.alias = ${alias}`.execute(this.db);
    return rows[0] && versionFromRow(name, rows[0]);
  }

  async gate(modelId: string, modelName: string, alias: string): Promise<GatePolicy | null> {
    const row = await this.db.selectFrom('registry_gates').selectAll().where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
    return row ? toGate(modelName, row) : null;
  }

  async gates(modelId: string, modelName: string): Promise<GatePolicy[]> {
    const rows = await this.db.selectFrom('registry_gates').selectAll().where('model_id', '=', modelId).orderBy('alias').execute();
    return rows.map((r) => toGate(modelName, r));
  }

  async setGate(modelId: string, g: Omit<GatePolicy, 'model'>): Promise<void> {
    const values = {
      conditions: JSON.stringify(g.conditions),
      require_signature: g.requireSignatureCompatible ? 1 : 0,
      protected: g.protected ? 1 : 0,
      updated_time: g.updatedTime,
      updated_by: g.updatedBy,
    };
    await this.db
      .insertInto('registry_gates')
      .values({ model_id: modelId, alias: g.alias, ...values })
      .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet(values))
      .execute();
  }

  async deleteGate(modelId: string, alias: string): Promise<boolean> {
    const r = await this.db.deleteFrom('registry_gates').where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Aliases of the model that are protected by a gate. */
  async protectedAliases(modelId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('registry_gates').select('alias').where('model_id', '=', modelId).where('protected', '=', 1).execute();
    return rows.map((r) => r.alias);
  }
}
