import type { ConditionResult } from '@cairn/core';

/** One quantity a gate condition reads, with the candidate's value and each other version's (the alias holder's). */
export interface GateValueRow {
  /** `metrics.auc`, `params.l2`, `tags.team`. */
  reference: string;
  candidate: number | string | null | undefined;
  /** By whose value it is: `champion` (the holder of @champion), `current` (the holder of the alias being moved). */
  others: Array<{ holder: string; value: number | string | null }>;
}

const OWN = /^(metrics|params|tags|version_tags)\.|^version$/;

/**
 * Splits a condition's values into the candidate's and the other versions' (`champion.metrics.auc`
 * is @champion's `metrics.auc`), one row per quantity, in the order the condition names them.
 */
export function gateValueRows(condition: ConditionResult): GateValueRow[] {
  const rows = new Map<string, GateValueRow>();
  const row = (reference: string) => rows.get(reference) ?? rows.set(reference, { reference, candidate: undefined, others: [] }).get(reference)!;
  for (const [key, value] of Object.entries(condition.values)) {
    if (OWN.test(key)) {
      row(key).candidate = value;
      continue;
    }
    const dot = key.indexOf('.');
    if (dot <= 0) continue;
    row(key.slice(dot + 1)).others.push({ holder: key.slice(0, dot), value });
  }
  return [...rows.values()];
}

/** The holders any condition of an evaluation compares against, in order of first mention. */
export function gateHolders(conditions: ConditionResult[]): string[] {
  const out: string[] = [];
  for (const c of conditions) for (const r of gateValueRows(c)) for (const o of r.others) if (!out.includes(o.holder)) out.push(o.holder);
  return out;
}
