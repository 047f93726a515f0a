import { CairnError, isCairnError, validateRelativePath } from '@cairn/core';

/**
 * An artifact path from an MLflow client, through Cairn's one path validator. A refusal is MLflow's
 * exact answer, `Invalid path` (clients and MLflow's tests compare the whole body); the validator's
 * reason stays in `cause` for the server log.
 */
export function mlflowArtifactPath(raw: string, options: { allowEmpty?: boolean } = {}): string {
  try {
    return validateRelativePath(raw, 'path', options);
  } catch (e) {
    if (isCairnError(e, 'INVALID_ARGUMENT')) throw new CairnError('INVALID_ARGUMENT', 'Invalid path', { cause: e, details: { field: 'path' } });
    throw e;
  }
}
