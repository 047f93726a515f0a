import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { CairnError, notFound } from '../../errors.js';
import type { Experiment, LifecycleStage, Tags } from '../entities.js';
import { tagsOf, toExperiment } from './row-mappers.js';

/** SQL persistence of experiments and their tags (SQLite and PostgreSQL alike). */
export class ExperimentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: { name: string; artifactLocation: string | null; tags: Tags; now: number }): Promise<string> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('experiments')
          .values({
            name: input.name,
            artifact_location: input.artifactLocation ?? '',
            lifecycle_stage: 'active',
            creation_time: input.now,
            last_update_time: input.now,
          })
          .returning('experiment_id')
          .executeTakeFirstOrThrow();
        const id = row.experiment_id;
        // The location is derived from the id unless the caller chose a (validated) one.
        if (input.artifactLocation === null) {
          await trx.updateTable('experiments').set({ artifact_location: String(id) }).where('experiment_id', '=', id).execute();
        }
        const tags = Object.entries(input.tags);
        if (tags.length) {
          await trx.insertInto('experiment_tags').values(tags.map(([key, value]) => ({ experiment_id: id, key, value }))).execute();
        }
        return String(id);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw alreadyExists(input.name, e);
      throw e;
    }
  }

  async get(id: string): Promise<Experiment | null> {
    const n = toId(id);
    if (n === null) return null;
    const row = await this.db.selectFrom('experiments').selectAll().where('experiment_id', '=', n).executeTakeFirst();
    if (!row) return null;
    return toExperiment(row, await this.tags(n));
  }

  async getByName(name: string): Promise<Experiment | null> {
    const row = await this.db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return null;
    return toExperiment(row, await this.tags(row.experiment_id));
  }

  /** Loads experiments by id, in the order given. */
  async getMany(ids: number[]): Promise<Experiment[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('experiments').selectAll().where('experiment_id', 'in', ids).execute();
    const tagRows = await this.db.selectFrom('experiment_tags').selectAll().where('experiment_id', 'in', ids).execute();
    const byId = new Map(rows.map((r) => [r.experiment_id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [toExperiment(r, tagsOf(tagRows.filter((t) => t.experiment_id === id)))] : [];
    });
  }

  /** The id of an experiment whose artifact location is `path` or a folder above it, or null. */
  async idByArtifactPath(path: string): Promise<string | null> {
    const segments = path.split('/');
    const locations = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    const row = await this.db.selectFrom('experiments').select('experiment_id').where('artifact_location', 'in', locations).limit(1).executeTakeFirst();
    return row ? String(row.experiment_id) : null;
  }

  async rename(id: string, name: string, now: number): Promise<void> {
    try {
      await this.mustUpdate(id, { name, last_update_time: now });
    } catch (e) {
      if (isUniqueViolation(e)) throw alreadyExists(name, e);
      throw e;
    }
  }

  async setLifecycle(id: string, stage: LifecycleStage, now: number): Promise<void> {
    await this.mustUpdate(id, { lifecycle_stage: stage, last_update_time: now });
  }

  async setTag(id: string, key: string, value: string, now: number): Promise<void> {
    const n = toId(id) ?? -1;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('experiment_tags')
        .values({ experiment_id: n, key, value })
        .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value }))
        .execute();
      await trx.updateTable('experiments').set({ last_update_time: now }).where('experiment_id', '=', n).execute();
    });
  }

  async deleteTag(id: string, key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('experiment_tags').where('experiment_id', '=', toId(id) ?? -1).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  private async mustUpdate(id: string, set: Partial<{ name: string; lifecycle_stage: string; last_update_time: number }>) {
    const r = await this.db.updateTable('experiments').set(set).where('experiment_id', '=', toId(id) ?? -1).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound(`Experiment '${id}'`, '', { entity: 'experiment', id });
  }

  private async tags(id: number): Promise<Tags> {
    return tagsOf(await this.db.selectFrom('experiment_tags').select(['key', 'value']).where('experiment_id', '=', id).execute());
  }
}

/** Experiment ids are decimal strings on the wire and integers in the database. */
export function toId(id: string): number | null {
  return /^\d{1,15}$/.test(id) ? Number(id) : null;
}

function alreadyExists(name: string, cause: unknown): CairnError {
  return new CairnError('ALREADY_EXISTS', `An experiment named '${name}' already exists (possibly deleted: restore it or pick another name).`, { cause, details: { entity: 'experiment', name } });
}
