import fc from 'fast-check';
import { RUN_STATUSES, type ViewType } from '../entities.js';
import type { Comparison, Entity, FilterNode } from './ast.js';
import { formatKey } from './format-filter.js';
import type { RunSpec } from './search-fixtures.js';

// Generators for the property tests. Keys and values come from small alphabets so that filters hit;
// the alphabets hold what tends to break SQL: quotes, LIKE wildcards, case pairs, accents, characters
// above U+FFFF (UTF-16 order differs from code point order there), NaN and infinities.
//
// Left out on purpose: characters whose case mapping differs between JavaScript's case folding and
// PostgreSQL's lower() (ς/σ, ſ, İ, ı), where ILIKE on the two cannot agree.

const CHARS = ['a', 'A', 'b', 'é', 'É', '😀', '𝒳', '\uff01', '中', ' ', "'", '"', '`', '\\', '%', '_'];
const char = fc.constantFrom(...CHARS);
const text = fc.oneof(fc.constantFrom('', 'a', 'A', 'ab', 'é', '😀'), fc.string({ unit: char, maxLength: 3 }));
const pattern = fc.oneof(
  fc.constantFrom('%', '_', 'a%', 'A%', '%a', '%É%', 'é', 'É', '_b', '%😀%', '😀', 'a_', "%'%", '%\\%', '\\%', '__', ''),
  fc.string({ unit: fc.constantFrom('a', 'A', 'é', 'É', '😀', 'b', '\\', '%', '%', '_'), maxLength: 4 }),
);

export const METRIC_KEYS = ['m1', 'm2', 'val loss'];
export const PARAM_KEYS = ['p1', 'p.2', 'k`q'];
export const TAG_KEYS = ['t1', 'mlflow.x', 'é'];
// Runs also get the tags that mirror their name, user and parent: stored or not, they must search alike.
export const RUN_TAG_KEYS = [...TAG_KEYS, 'mlflow.runName', 'mlflow.user', 'mlflow.parentRunId'];
// On experiments those keys are ordinary tags.
const EXPERIMENT_TAG_KEYS = [...TAG_KEYS, 'mlflow.user'];
const RUN_TEXT_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage'];
const RUN_TIME_ATTRIBUTES = ['start_time', 'end_time'];

// Mostly values that collide with each other and with the filters' numbers, so comparisons hit.
const metricValue = fc.oneof(
  { arbitrary: fc.constantFrom(0, -0, 1, -1, 0.5, NaN, NaN, Infinity, -Infinity), weight: 4 },
  { arbitrary: fc.double(), weight: 1 },
);
const filterNumber = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, -1, 0.5, Infinity, -Infinity), weight: 4 },
  { arbitrary: fc.double({ noNaN: true }), weight: 1 },
);
const time = fc.constantFrom(0, 1, 2, 3);
const timeOperand = fc.constantFrom(0, 1, 1.5, 2, 3, -1, 2.5, Infinity, -Infinity);

export const runSpecs: fc.Arbitrary<RunSpec[]> = fc
  .uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'A', '0', '_', 'é'), minLength: 1, maxLength: 3 }), { maxLength: 12 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          name: text,
          status: fc.constantFrom(...RUN_STATUSES),
          userId: fc.constantFrom('ana', 'Ana', 'bo', ''),
          parentRunId: fc.option(text, { nil: null }),
          startTime: time,
          endTime: fc.option(time, { nil: null }),
          lifecycleStage: fc.constantFrom('active', 'active', 'deleted') as fc.Arbitrary<'active' | 'deleted'>,
          params: fc.dictionary(fc.constantFrom(...PARAM_KEYS), text, { maxKeys: 3 }),
          tags: fc.dictionary(fc.constantFrom(...RUN_TAG_KEYS), text, { maxKeys: 3 }),
          metrics: fc.dictionary(fc.constantFrom(...METRIC_KEYS), metricValue, { maxKeys: 3 }),
          datasets: fc.uniqueArray(
            fc.record({
              name: fc.constantFrom('mnist', 'cifar'),
              digest: fc.constantFrom('d1', 'D1'),
              context: fc.option(fc.constantFrom('training', 'validation', 'Training'), { nil: undefined }),
            }),
            { selector: (d) => `${d.name}/${d.digest}`, maxLength: 3 },
          ),
        }),
      ),
    ),
  );

const comparison = (entity: Entity, key: string, kind: 'number' | 'time' | 'string'): fc.Arbitrary<Comparison> => {
  const base = { kind: 'comparison' as const, entity, key };
  if (kind !== 'string') {
    return fc.record({
      // `!=` is the one comparison NaN passes: it gets twice the share.
      op: fc.constantFrom('=', '!=', '!=', '>', '>=', '<', '<=' as const),
      value: kind === 'time' ? timeOperand : filterNumber,
    }).map(({ op, value }) => ({ ...base, valueType: 'number', op, value }));
  }
  return fc.oneof(
    fc.record({ op: fc.constantFrom('=', '!=' as const), value: text }).map(({ op, value }) => ({ ...base, valueType: 'string' as const, op, value })),
    fc.record({ op: fc.constantFrom('LIKE', 'ILIKE' as const), value: pattern }).map(({ op, value }) => ({ ...base, valueType: 'string' as const, op, value })),
    fc.record({ op: fc.constantFrom('IN', 'NOT IN' as const), value: fc.array(text, { minLength: 1, maxLength: 3 }) }).map(({ op, value }) => ({
      ...base,
      valueType: 'list' as const,
      op,
      value,
    })),
  );
};

const runComparison: fc.Arbitrary<Comparison> = fc.oneof(
  { arbitrary: fc.constantFrom(...METRIC_KEYS).chain((k) => comparison('metric', k, 'number')), weight: 2 },
  fc.constantFrom(...PARAM_KEYS).chain((k) => comparison('param', k, 'string')),
  { arbitrary: fc.constantFrom(...RUN_TAG_KEYS).chain((k) => comparison('tag', k, 'string')), weight: 2 },
  fc.constantFrom(...RUN_TEXT_ATTRIBUTES).chain((k) => comparison('attribute', k, 'string')),
  fc.constantFrom(...RUN_TIME_ATTRIBUTES).chain((k) => comparison('attribute', k, 'time')),
  fc.constantFrom('name', 'digest', 'context').chain((k) => comparison('dataset', k, 'string')),
);

function tree(leaf: fc.Arbitrary<Comparison>): fc.Arbitrary<FilterNode> {
  const { node } = fc.letrec<{ node: FilterNode }>((tie) => ({
    // Mostly single comparisons and small trees: a deep tree's answer rarely hinges on one leaf.
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: leaf, weight: 3 },
      { arbitrary: fc.record({ kind: fc.constantFrom('and', 'or' as const), children: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }), weight: 1 },
    ),
  }));
  return node;
}

export const runFilter = tree(runComparison);

const direction = fc.constantFrom('', ' ASC', ' DESC', ' desc');
const runOrderKey = fc.oneof(
  fc.constantFrom(...METRIC_KEYS).map((k) => formatKey('metric', k)),
  fc.constantFrom(...PARAM_KEYS).map((k) => formatKey('param', k)),
  fc.constantFrom(...RUN_TAG_KEYS).map((k) => formatKey('tag', k)),
  fc.constantFrom('start_time', 'end_time', 'run_name', 'attributes.run_id', 'status', 'user_id', 'created'),
);
export const runOrderBy = fc.array(fc.tuple(runOrderKey, direction).map(([k, d]) => k + d), { maxLength: 3 });

export const viewType = fc.constantFrom<ViewType>('ACTIVE_ONLY', 'DELETED_ONLY', 'ALL');

export interface ExperimentSpec {
  name: string;
  creationTime: number;
  lastUpdateTime: number;
  lifecycleStage: 'active' | 'deleted';
  tags: Record<string, string>;
}

export const experimentSpecs: fc.Arbitrary<ExperimentSpec[]> = fc.array(
  fc.record({
    name: text,
    creationTime: time,
    lastUpdateTime: time,
    lifecycleStage: fc.constantFrom('active', 'active', 'deleted') as fc.Arbitrary<'active' | 'deleted'>,
    tags: fc.dictionary(fc.constantFrom(...EXPERIMENT_TAG_KEYS), text, { maxKeys: 2 }),
  }),
  { maxLength: 5 },
);

export const experimentFilter = tree(
  fc.oneof(
    comparison('attribute', 'name', 'string'),
    fc.constantFrom('creation_time', 'last_update_time').chain((k) => comparison('attribute', k, 'time')),
    fc.constantFrom(...EXPERIMENT_TAG_KEYS).chain((k) => comparison('tag', k, 'string')),
  ),
);

export const experimentOrderBy = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom('name', 'creation_time', 'last_update_time', 'experiment_id'), fc.constantFrom(...EXPERIMENT_TAG_KEYS).map((k) => formatKey('tag', k))), direction).map(
    ([k, d]) => k + d,
  ),
  { maxLength: 2 },
);
