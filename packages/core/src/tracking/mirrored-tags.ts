import type { Run, RunInfo, Tags } from './entities.js';
import { keyMap } from '../util/key-map.js';

// MLflow clients read a run's name, user and parent from system tags. Cairn keeps those facts in the
// run itself (name, user id, parent run), so the tags are derived from it: every surface that shows
// tags (MLflow's runs/get) and every search over tags (`tags.mlflow.parentRunId = '…'`) applies the
// rule below, and a rename or a run created by the SDK is seen the same way by both.

export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

/** The run field a mirrored tag shows, and whether a tag stored under that key wins over it. */
export interface TagMirror {
  field: keyof Pick<RunInfo, 'runName' | 'userId' | 'parentRunId'>;
  /**
   * The run name always shows the current name (a stored `mlflow.runName` may predate a rename).
   * The user and parent tags show what an MLflow client stored, if it stored one, else the field.
   */
  storedWins: boolean;
}

export const MIRRORED_TAGS: Readonly<Record<string, TagMirror>> = Object.freeze({
  [RUN_NAME_TAG]: { field: 'runName', storedWins: false },
  [USER_TAG]: { field: 'userId', storedWins: true },
  [PARENT_RUN_TAG]: { field: 'parentRunId', storedWins: true },
});

/** The mirror of a run tag key, if the key is one of the mirrored system tags. */
export function tagMirror(key: string): TagMirror | undefined {
  return Object.hasOwn(MIRRORED_TAGS, key) ? MIRRORED_TAGS[key] : undefined;
}

/**
 * A run's tags as clients see and search them: the stored tags plus the mirrored system tags.
 * An empty field (no parent) adds no tag.
 *
 * @example
 * ```ts
 * withMirroredTags(run)['mlflow.parentRunId']; // the parent's id, for a child run the SDK created
 * ```
 */
export function withMirroredTags(run: Run): Tags {
  const tags = keyMap(Object.entries(run.data.tags));
  for (const [key, mirror] of Object.entries(MIRRORED_TAGS)) {
    if (mirror.storedWins && Object.hasOwn(tags, key)) continue;
    const value = run.info[mirror.field];
    if (value) tags[key] = value;
    else if (!mirror.storedWins) delete tags[key];
  }
  return tags;
}
