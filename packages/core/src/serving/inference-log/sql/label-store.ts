import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { InferenceLabel } from '../entities.js';
import type { ServingTables } from './rows.js';

/** Ground-truth labels, always in the metadata database (whichever store keeps the log). */
export class LabelStore {
  constructor(private readonly db: Kysely<ServingTables>, private readonly now: () => number = Date.now) {}

  async add(labels: InferenceLabel[]): Promise<number> {
    if (!labels.length) return 0;
    const created = this.now();
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < labels.length; i += 1000) {
        await trx.insertInto('inference_labels').values(labels.slice(i, i + 1000).map((l) => ({
          label_id: randomUUID(), model: l.model, request_id: l.requestId, row_index: l.row, entity: l.entity, time: Math.floor(l.time), label: JSON.stringify(l.label), created_time: created,
        }))).execute();
      }
    });
    return labels.length;
  }

  /**
   * Labels of a model observed at or after `from`: a label judges predictions made before it (an
   * entity's outcome, a request's answer posted later), so a monitoring window needs none older than
   * its first prediction, and months of labels are not read for each run.
   */
  async list(model: string, from = 0): Promise<InferenceLabel[]> {
    const rows = await this.db.selectFrom('inference_labels').selectAll().where('model', '=', model).where('time', '>=', Math.floor(from)).orderBy('time').execute();
    return rows.map((r) => ({ model: r.model, requestId: r.request_id, row: r.row_index === null ? null : Number(r.row_index), entity: r.entity, time: Number(r.time), label: JSON.parse(r.label) as unknown }));
  }
}
