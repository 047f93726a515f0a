import type { InferenceLabel, LoggedRows } from '../serving/inference-log/entities.js';

/**
 * Pairs logged predictions with their labels: a label naming a request id (and row, or every row
 * of the request), else a label of the same entity observed at or after the prediction (the first
 * such label). Returns the indexes of labelled rows and each one's label.
 */
export function matchLabels(rows: LoggedRows, labels: InferenceLabel[]): { index: number[]; labels: unknown[] } {
  const byRequest = new Map<string, InferenceLabel>();
  const byEntity = new Map<string, InferenceLabel[]>();
  for (const l of labels) {
    if (l.requestId) byRequest.set(l.row === null ? l.requestId : `${l.requestId}\u0000${l.row}`, l);
    else if (l.entity) {
      let list = byEntity.get(l.entity);
      if (!list) byEntity.set(l.entity, (list = []));
      list.push(l);
    }
  }
  for (const list of byEntity.values()) list.sort((a, b) => a.time - b.time);
  const index: number[] = [];
  const out: unknown[] = [];
  for (let i = 0; i < rows.count; i++) {
    const id = rows.requestIds[i]!;
    let l = byRequest.get(`${id}\u0000${rows.rows[i]}`) ?? byRequest.get(id);
    const entity = rows.entities[i];
    if (!l && entity) {
      const list = byEntity.get(entity);
      if (list) {
        const t = rows.times[i]!;
        l = list.find((x) => x.time >= t);
      }
    }
    if (l) {
      index.push(i);
      out.push(l.label);
    }
  }
  return { index, labels: out };
}
