// A plain in-memory statement of the point-in-time rule, used by the property tests as the oracle.

export interface ReferenceRow { keys: Record<string, unknown>; ts: number; created: number | null; values: Record<string, unknown> }
export interface ReferenceView { joinKeys: string[]; ttlMs: number | null; features: string[]; rows: ReferenceRow[] }
export interface ReferenceEntity { keys: Record<string, unknown>; ts: number }

/**
 * For each entity row (in order) and view: the values of the row with equal join keys (null never
 * matches), event time <= T and >= T - ttl, (created <= T when filtering), greatest (event, created).
 */
export function referencePointInTime(entities: ReferenceEntity[], views: ReferenceView[], filterByCreated: boolean): Array<Array<Record<string, unknown>>> {
  return entities.map((e) => views.map((v) => {
    let best: ReferenceRow | null = null;
    for (const r of v.rows) {
      if (!v.joinKeys.every((k) => e.keys[k] !== null && e.keys[k] !== undefined && r.keys[k] === e.keys[k])) continue;
      if (r.ts > e.ts || (v.ttlMs !== null && r.ts < e.ts - v.ttlMs)) continue;
      if (filterByCreated && r.created !== null && r.created > e.ts) continue;
      if (!best || r.ts > best.ts || (r.ts === best.ts && (r.created ?? -Infinity) > (best.created ?? -Infinity))) best = r;
    }
    return Object.fromEntries(v.features.map((f) => [f, best ? (best.values[f] ?? null) : null]));
  }));
}

/** The newest row per entity key with start <= event time <= end (what materialization writes). */
export function referenceLatest(view: ReferenceView, start: number, end: number): Map<string, ReferenceRow> {
  const out = new Map<string, ReferenceRow>();
  for (const r of view.rows) {
    if (r.ts < start || r.ts > end || view.joinKeys.some((k) => r.keys[k] === null || r.keys[k] === undefined)) continue;
    const key = JSON.stringify(view.joinKeys.map((k) => r.keys[k]));
    const best = out.get(key);
    if (!best || r.ts > best.ts || (r.ts === best.ts && (r.created ?? -Infinity) > (best.created ?? -Infinity))) out.set(key, r);
  }
  return out;
}
