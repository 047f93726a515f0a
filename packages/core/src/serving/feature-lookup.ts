import { CairnError, isCairnError } from '../errors.js';
import type { FeatureStatus } from '../features/entities.js';
import type { FeatureService } from '../features/feature-service.js';
import type { Field } from '../features/entities.js';
import { entityText } from './inference-log/entities.js';
import type { Frame } from './frame.js';

export interface LookedUp {
  frame: Frame;
  /** Per row: the worst status of its features (NOT_FOUND over OUTSIDE_MAX_AGE over PRESENT). */
  statuses: FeatureStatus[];
  /** Rows whose every feature was NOT_FOUND: an unknown entity, not scored. */
  unknown: boolean[];
  /** Per row: the looked-up feature values. */
  features: Array<Record<string, unknown>>;
  /** Per row: the entity keys as canonical JSON text. */
  entities: string[];
}

const SEVERITY: Record<FeatureStatus, number> = { PRESENT: 0, OUTSIDE_MAX_AGE: 1, NOT_FOUND: 2 };

const plainValue = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v);

/** Whether a request carries the entity keys of the service (so its features can be looked up). */
export function hasEntityKeys(frame: Frame, entityFields: Field[]): boolean {
  return entityFields.length > 0 && frame.columns !== null && entityFields.every((f) => frame.columns!.includes(f.name));
}

/**
 * Adds the online features of each row's entity to the frame, through the same call as
 * `cairn features get-online` (`FeatureService.getOnlineFeatures`, on-demand features included):
 * one code path for training and serving. A column the caller sent wins over a looked-up one.
 * The online store being away is UNAVAILABLE naming it.
 */
export async function lookUpFeatures(features: FeatureService, featureService: string, entityFields: Field[], frame: Frame, onlineStoreUri: string, at?: number | string): Promise<LookedUp> {
  const columns = frame.columns!;
  const keyIndex = entityFields.map((f) => columns.indexOf(f.name));
  const entities = frame.rows.map((r) => Object.fromEntries(entityFields.map((f, k) => [f.name, r[keyIndex[k]!]])));
  let result;
  try {
    result = await features.getOnlineFeatures({ entities, featureService, ...(at === undefined ? {} : { at }) });
  } catch (e) {
    if (isCairnError(e) && e.code !== 'UNAVAILABLE' && e.code !== 'INTERNAL') throw e;
    throw new CairnError('UNAVAILABLE', `The online store (${onlineStoreUri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}) is unavailable, so features of '${featureService}' cannot be looked up: ${(e as Error).message.split('\n')[0]}. Retry when it is back, or send the features in the request.`, { cause: e });
  }
  const n = frame.rows.length;
  const statuses = new Array<FeatureStatus>(n).fill('PRESENT');
  const unknown = new Array<boolean>(n).fill(result.results.length > 0);
  for (const col of result.results) {
    for (let i = 0; i < n; i++) {
      const s = col.statuses[i]!;
      if (SEVERITY[s] > SEVERITY[statuses[i]!]) statuses[i] = s;
      if (s !== 'NOT_FOUND') unknown[i] = false;
    }
  }
  const added = result.featureNames.map((name, k) => ({ name, k })).filter((f) => !columns.includes(f.name));
  const featureRows = Array.from({ length: n }, (_, i) => Object.fromEntries(result.featureNames.map((name, k) => [name, plainValue(result.results[k]!.values[i])])));
  const rows = frame.rows.map((r, i) => [...r, ...added.map((f) => plainValue(result.results[f.k]!.values[i]))]);
  return {
    frame: { columns: [...columns, ...added.map((f) => f.name)], rows },
    statuses, unknown, features: featureRows, entities: entities.map(entityText),
  };
}
