import { sql } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Tags } from '../../tracking/entities.js';
import type { ModelFile, ModelVersion, ModelVersionStatus, Stage } from '../entities.js';
import { versionExtras, versionFromRow, type WithExtras } from './extras.js';
import { tagsOf } from './row-mappers.js';
import type { ModelVersionRow, RegistryDb, RegistryTrx } from './rows.js';

export interface VersionKey { modelId: string; version: number }

export interface VersionCompletion {
  status: ModelVersionStatus;
  statusMessage: string | null;
  files?: ModelFile[];
  size?: number;
  digest?: string;
  format?: string;
  unsafe?: boolean;
  signature?: string | null;
}

/** SQL persistence of model versions, their tags and aliases (SQLite and PostgreSQL alike). */
export class VersionStore {
  constructor(private readonly db: RegistryDb | RegistryTrx, private readonly dialect: Dialect) {}

  async insert(row: ModelVersionRow, tags: Tags): Promise<void> {
    await this.db.insertInto('model_versions').values(row).execute();
    const entries = Object.entries(tags);
    if (entries.length) {
      await this.db.insertInto('model_version_tags').values(entries.map(([key, value]) => ({ model_id: row.model_id, version: row.version, key, value }))).execute();
    }
  }

  async row(modelId: string, version: number): Promise<ModelVersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).where('version', '=', version).executeTakeFirst();
  }

  async complete(key: VersionKey, c: VersionCompletion, now: number): Promise<void> {
    await this.db
      .updateTable('model_versions')
      .set({
        status: c.status,
        status_message: c.statusMessage,
        last_updated_time: now,
        ...(c.files ? { manifest: JSON.stringify(c.files), file_count: c.files.length } : {}),
        ...(c.size !== undefined ? { size_bytes: c.size } : {}),
        ...(c.digest !== undefined ? { digest: c.digest } : {}),
        ...(c.format !== undefined ? { format: c.format } : {}),
        ...(c.unsafe !== undefined ? { unsafe: c.unsafe ? 1 : 0 } : {}),
        ...(c.signature !== undefined ? { signature: c.signature } : {}),
      })
      .where('model_id', '=', key.modelId)
      .where('version', '=', key.version)
      .execute();
  }

  async update(key: VersionKey, set: { description?: string | null; current_stage?: Stage }, now: number): Promise<void> {
    await this.db.updateTable('model_versions').set({ ...set, last_updated_time: now }).where('model_id', '=', key.modelId).where('version', '=', key.version).execute();
  }

  /** Moves every other version of the model in `stage` to Archived; returns the versions moved. */
  async archiveStage(modelId: string, stage: Stage, except: number, now: number): Promise<number[]> {
    const rows = await this.db
      .updateTable('model_versions')
      .set({ current_stage: 'Archived', last_updated_time: now })
      .where('model_id', '=', modelId)
      .where('current_stage', '=', stage)
      .where('version', '!=', except)
      .returning('version')
      .execute();
    return rows.map((r) => r.version);
  }

  async delete(key: VersionKey): Promise<void> {
    await this.db.deleteFrom('model_versions').where('model_id', '=', key.modelId).where('version', '=', key.version).execute();
  }

  async setTag(key: VersionKey, tag: string, value: string): Promise<void> {
    await this.db
      .insertInto('model_version_tags')
      .values({ model_id: key.modelId, version: key.version, key: tag, value })
      .onConflict((oc) => oc.columns(['model_id', 'version', 'key']).doUpdateSet({ value }))
      .execute();
  }

  async deleteTag(key: VersionKey, tag: string): Promise<boolean> {
    const r = await this.db.deleteFrom('model_version_tags').where('model_id', '=', key.modelId).where('version', '=', key.version).where('key', '=', tag).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async tag(key: VersionKey, tag: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('model_version_tags').select('value').where('model_id', '=', key.modelId).where('version', '=', key.version).where('key', '=', tag).executeTakeFirst();
    return row?.value;
  }

  /** One version with its tags and aliases, in one statement. */
  async loadOne(name: string, modelId: string, version: number): Promise<ModelVersion | undefined> {
    const { rows } = await sql<ModelVersionRow & WithExtras>`select v.*, ${versionExtras(this.dialect)} from model_versions v
      where v.model_id = ${modelId} and v.version = ${version}`.execute(this.db);
    return rows[0] && versionFromRow(name, rows[0]);
  }

  async tags(key: VersionKey): Promise<Tags> {
    return tagsOf(await this.db.selectFrom('model_version_tags').select(['key', 'value']).where('model_id', '=', key.modelId).where('version', '=', key.version).execute());
  }

  /** The newest READY version in a stage, or of all stages when `stage` is null. */
  async latest(modelId: string, stage: Stage | null): Promise<ModelVersionRow | undefined> {
    let q = this.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).where('status', '=', 'READY');
    if (stage !== null) q = q.where('current_stage', '=', stage);
    return q.orderBy('version', 'desc').limit(1).executeTakeFirst();
  }
}
