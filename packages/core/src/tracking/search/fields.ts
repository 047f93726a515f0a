import type { Entity, SearchTarget } from './ast.js';

// Which names a filter or order_by may use, per target, with MLflow's spellings of each.

const ENTITY_ALIASES: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

export function entityFromPrefix(prefix: string): Entity | undefined {
  return Object.hasOwn(ENTITY_ALIASES, prefix.toLowerCase()) ? ENTITY_ALIASES[prefix.toLowerCase()] : undefined;
}

export const ENTITIES_BY_TARGET: Record<SearchTarget, readonly Entity[]> = {
  runs: ['metric', 'param', 'tag', 'attribute', 'dataset'],
  experiments: ['attribute', 'tag'],
};

export interface FieldSpec {
  /** The canonical name the AST carries. */
  name: string;
  type: 'number' | 'string';
  /** Whether a row may lack a value (`end_time` of a running run); a missing value never matches. */
  nullable: boolean;
}

const field = (name: string, type: FieldSpec['type'], nullable = false): FieldSpec => ({ name, type, nullable });

const RUN_ATTRIBUTES: Record<string, FieldSpec> = {
  run_id: field('run_id', 'string'),
  run_name: field('run_name', 'string'),
  'run name': field('run_name', 'string'),
  status: field('status', 'string'),
  user_id: field('user_id', 'string'),
  artifact_uri: field('artifact_uri', 'string'),
  lifecycle_stage: field('lifecycle_stage', 'string'),
  start_time: field('start_time', 'number'),
  created: field('start_time', 'number'),
  end_time: field('end_time', 'number', true),
};

const EXPERIMENT_FILTER_ATTRIBUTES: Record<string, FieldSpec> = {
  name: field('name', 'string'),
  creation_time: field('creation_time', 'number'),
  last_update_time: field('last_update_time', 'number'),
};

const EXPERIMENT_ORDER_ATTRIBUTES: Record<string, FieldSpec> = {
  ...EXPERIMENT_FILTER_ATTRIBUTES,
  experiment_id: field('experiment_id', 'number'),
};

const DATASET_FIELDS: Record<string, FieldSpec> = {
  name: field('name', 'string'),
  digest: field('digest', 'string'),
  context: field('context', 'string', true),
};

function lookup(table: Record<string, FieldSpec>, key: string): FieldSpec | undefined {
  const k = key.toLowerCase();
  return Object.hasOwn(table, k) ? table[k] : undefined;
}

function choices(table: Record<string, FieldSpec>): string {
  return [...new Set(Object.values(table).map((f) => f.name))].join(', ');
}

/** The attribute a filter may compare, or an explanation of why `key` is not one. */
export function filterAttribute(target: SearchTarget, key: string): FieldSpec | string {
  const table = target === 'runs' ? RUN_ATTRIBUTES : EXPERIMENT_FILTER_ATTRIBUTES;
  return lookup(table, key) ?? unknownAttribute(target, key, table);
}

export function orderAttribute(target: SearchTarget, key: string): FieldSpec | string {
  const table = target === 'runs' ? RUN_ATTRIBUTES : EXPERIMENT_ORDER_ATTRIBUTES;
  return lookup(table, key) ?? unknownAttribute(target, key, table);
}

// A bare name is an attribute; most often the user meant a metric (`auc` for `metrics.auc`), so say how to write one.
function unknownAttribute(target: SearchTarget, key: string, table: Record<string, FieldSpec>): string {
  const name = /^[A-Za-z_][\w]*$/.test(key) ? key : `\`${key.replaceAll('`', '')}\``;
  const hint = target === 'runs' ? `metrics.${name} (or params.${name}, tags.${name})` : `tags.${name}`;
  return `unknown attribute '${key}'; valid attributes are ${choices(table)}. Did you mean ${hint}?`;
}

export function datasetField(key: string): FieldSpec | string {
  return lookup(DATASET_FIELDS, key) ?? `unknown dataset field '${key}'; valid fields are ${choices(DATASET_FIELDS)}`;
}
