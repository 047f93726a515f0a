import { keyMap, type DatasetInput, type Metric, type Param, type Tag, type Tags } from '@cairn/core';
import { MLFLOW_LIMITS, checkKeyLength, checkLength } from './limits.js';
import type { RequestFields } from './request-fields.js';

// MLflow request messages as Cairn entities, with MLflow's length limits checked first so the error
// names the field as the client sent it (`metrics[3].key`, `tags[0].value`).

/** A key/value message (RunTag, ExperimentTag, Param); an absent value is "" as in proto2. */
function keyValue(f: RequestFields, valueLimit: number): { key: string; value: string } {
  const key = f.requiredString('key');
  checkKeyLength(key, f.fieldName('key'));
  const value = f.string('value') ?? '';
  checkLength(value, f.fieldName('value'), valueLimit);
  return { key, value };
}

export function parseTag(f: RequestFields): Tag {
  return keyValue(f, MLFLOW_LIMITS.tagValueLength);
}

export function parseParam(f: RequestFields): Param {
  return keyValue(f, MLFLOW_LIMITS.paramValueLength);
}

/** Repeated tags as a map; a later duplicate key wins, as MLflow writes tags in request order. */
export function parseTagMap(list: RequestFields[]): Tags {
  return keyMap(list.map((f) => {
    const { key, value } = parseTag(f);
    return [key, value];
  }));
}

/** A Metric message: key, value and timestamp are required, step defaults to 0. */
export function parseMetric(f: RequestFields): Metric {
  const key = f.requiredString('key');
  // The field is named only when refused: this runs for every point of a log-batch.
  if (key.length > MLFLOW_LIMITS.keyLength) checkKeyLength(key, f.fieldName('key'));
  return { key, value: f.requiredDouble('value'), timestamp: f.requiredInt64('timestamp'), step: f.int64('step') ?? 0 };
}

/** A DatasetInput message: the dataset and its input tags (`mlflow.data.context` among them). */
export function parseDatasetInput(f: RequestFields): DatasetInput {
  const d = f.message('dataset');
  if (!d) throw f.missing('dataset');
  const tags = keyMap(f.messages('tags').map((t) => [t.requiredString('key'), t.string('value') ?? '']));
  return {
    dataset: {
      name: d.requiredString('name'),
      digest: d.requiredString('digest'),
      sourceType: d.requiredString('source_type'),
      source: d.requiredString('source'),
      schema: d.string('schema') ?? null,
      profile: d.string('profile') ?? null,
    },
    tags,
  };
}
