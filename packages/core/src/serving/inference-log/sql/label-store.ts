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
   * The labels that can judge predictions made from `from` on, without reading months of older
   * ones: labels by entity observed at or after `from` (an entity's outcome judges the predictions
   * before it), and labels by request id posted at or after `from` (the server's clock, give or
   * take an hour of skew between hosts: a label cannot be posted before the answer that gave its
   * id; its own `time`, which the client may set to anything, does not matter). Ordered by `time`.
   */
  async list(model: string, from = 0): Promise<InferenceLabel[]> {
    const since = Math.floor(from);
    const [byEntity, byRequest] = await Promise.all([
      this.db.selectFrom('inference_labels').selectAll().where('model', '=', model).where('request_id', 'is', null).where('time', '>=', since).execute(),
      this.db.selectFrom('inference_labels').selectAll().where('model', '=', model).where('request_id', 'is not', null).where('created_time', '>=', since - CLOCK_SKEW_MS).execute(),
    ]);
    return [...byEntity, ...byRequest]
      .map((r) => ({ model: r.model, requestId: r.request_id, row: r.row_index === null ? null : Number(r.row_index), entity: r.entity, time: Number(r.time), label: JSON.parse(r.label) as unknown }))
      .sort((a, b) => a.time - b.time);
  }
}

/** How far apart the clocks of the host that served a prediction and the one that took its label may be. */
const CLOCK_SKEW_MS = 3_600_000;
