import { z } from 'zod';
import { invalid } from '../errors.js';
import { closestName } from '../util/closest-name.js';
import { DEFINITION_ORIGIN, definitionKind, type Definition, type DefinitionKind } from './define.js';
import { DURATION_SYNTAX, VALUE_TYPES } from './value-types.js';

// Definition files are TypeScript, but tsx runs them without type-checking: a definition of the
// wrong shape (`entities: customer`, `ttll: '2h'`, `ttl: 14`) reaches Cairn as it is. Each one is
// checked against these schemas when it loads, and refused naming the object, the field and what
// is expected.

const LABEL: Record<DefinitionKind, string> = {
  entity: 'Entity', source: 'Source', featureView: 'Feature view', onDemandFeatureView: 'On-demand feature view', featureService: 'Feature service',
};

const is = (kind: DefinitionKind) => (v: unknown) => definitionKind(v) === kind;
const name = z.string({ error: 'a name (letters, digits and underscores)' });
const text = (what: string) => z.string({ error: what }).optional();
const described = {
  description: text('a string'),
  owner: text('a string'),
  tags: z.record(z.string(), z.string({ error: 'a string' }), { error: "an object of string values, e.g. { team: 'risk' }" }).optional(),
};
const types = z.record(z.string(), z.string({ error: `a value type: ${VALUE_TYPES.join(', ')}` }), { error: "an object of name: value type, e.g. { conv_rate: 'float64' }" });
const duration = z.custom<string>((v) => typeof v === 'string', { error: DURATION_SYNTAX });
const entityRef = z.custom((v) => is('entity')(v), { error: 'an entity made with entity({ ... })' });
const viewRef = z.custom((v) => is('featureView')(v) || is('onDemandFeatureView')(v), { error: 'a feature view' });
const selection = z.union([z.string(), viewRef, z.strictObject({ view: viewRef, features: z.array(z.string({ error: 'a feature name' }), { error: "an array of feature names, e.g. ['conv_rate']" }) })], {
  error: "a feature reference: 'view:feature', a feature view, or { view, features: ['name', ...] }",
});
const selections = z.array(selection, { error: "an array of features, e.g. ['driver_stats:conv_rate', driverStats]" });

const sourceBase = {
  name, ...described,
  timestampField: z.string({ error: "the name of the event-time column, e.g. 'event_timestamp'" }),
  createdTimestampField: text('the name of the created-time column'),
};
const fileSource = {
  ...sourceBase, type: z.literal('file'),
  path: z.string({ error: "a path relative to the project folder, e.g. 'data/trips.parquet'" }),
  format: z.enum(['csv', 'parquet'], { error: "'csv' or 'parquet'" }).optional(),
};

const SHAPES = {
  entity: { name, ...described, joinKeys: types },
  file: fileSource,
  postgres: { ...sourceBase, type: z.literal('postgres'), table: text("a table name, e.g. 'public.orders'"), query: text('a SQL query') },
  push: {
    ...sourceBase, type: z.literal('push'),
    batchSource: z.custom((v) => is('source')(v) && (v as { type?: unknown }).type === 'file', { error: 'a file source made with fileSource({ ... })' }).optional(),
  },
  featureView: {
    name, ...described,
    entities: z.array(entityRef, { error: 'an array of entities, e.g. entities: [customer]' }).min(1, { error: 'at least one entity, e.g. entities: [customer]' }),
    schema: types,
    source: z.custom((v) => is('source')(v), { error: 'a source made with fileSource(), postgresSource() or pushSource()' }),
    ttl: duration.optional(),
    online: z.boolean({ error: 'true or false' }).optional(),
    expectations: z.strictObject({
      features: z.record(z.string(), z.strictObject({
        notNull: z.boolean({ error: 'true or false' }).optional(),
        min: z.number({ error: 'a number' }).optional(),
        max: z.number({ error: 'a number' }).optional(),
        allowed: z.array(z.union([z.string(), z.number(), z.boolean()]), { error: 'an array of strings, numbers or booleans' }).optional(),
      }, { error: 'an object of checks: notNull, min, max, allowed' }), { error: 'an object of feature name: checks' }).optional(),
      freshness: duration.optional(),
    }, { error: 'an object with features and freshness' }).optional(),
  },
  onDemandFeatureView: {
    name, ...described,
    sources: z.strictObject({ request: types.optional(), features: selections.optional() }, { error: "an object with request and features, e.g. { request: { bonus: 'float64' }, features: ['driver_stats:conv_rate'] }" }),
    schema: types,
    compute: z.custom((v) => typeof v === 'function', { error: 'a function of one input row returning the outputs' }),
  },
  featureService: { name, ...described, features: selections },
};
const SCHEMAS = Object.fromEntries(Object.entries(SHAPES).map(([k, shape]) => [k, z.strictObject(shape)])) as unknown as Record<keyof typeof SHAPES, z.ZodType>;

// Option names inside nested objects, for suggestions: by the key of the object that holds them.
const NESTED_KEYS: Record<string, string[]> = { expectations: ['features', 'freshness'], sources: ['request', 'features'] };
const CHECK_KEYS = ['notNull', 'min', 'max', 'allowed'];

function shapeOf(d: Definition): keyof typeof SHAPES {
  const kind = definitionKind(d)!;
  if (kind !== 'source') return kind;
  const type = (d as { type?: unknown }).type;
  return type === 'postgres' || type === 'push' ? type : 'file';
}

/** "Feature view 'churn' (features/churn.ts, export churnView)": the object an error is about. */
export function definitionLabel(d: Definition): string {
  const kind = definitionKind(d)!;
  const origin = (d as unknown as Record<symbol, { file: string; exportName: string } | undefined>)[DEFINITION_ORIGIN];
  const named = typeof d.name === 'string' && d.name ? ` '${d.name}'` : '';
  const where = origin ? ` (${origin.file}, export ${origin.exportName})` : '';
  return `${LABEL[kind]}${named}${where}`;
}

function describeValue(v: unknown, present: boolean): string {
  const kind = definitionKind(v);
  if (kind) return `the ${LABEL[kind].toLowerCase()} '${String((v as { name?: unknown }).name)}'`;
  if (!present) return 'nothing (it is missing)';
  if (v === undefined) return 'undefined (is what it names defined above, or imported?)';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `the ${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  return Array.isArray(v) ? `an array of ${v.length}` : 'an object';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { value: unknown; present: boolean } {
  let v = root;
  let present = true;
  for (const p of path) {
    present = v !== null && typeof v === 'object' && p in v;
    v = present ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  }
  return { value: v, present };
}

function problem(issue: z.core.$ZodIssue, d: Definition, shape: keyof typeof SHAPES): string {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.length ? String(issue.path.at(-1)) : null;
    const known = parent === null ? Object.keys(SHAPES[shape]).filter((k) => k !== 'type') : NESTED_KEYS[parent] ?? CHECK_KEYS;
    return issue.keys.map((key) => {
      const guess = closestName(key, known);
      return `unknown option '${at ? `${at}.` : ''}${key}'${guess ? `: did you mean '${guess}'?` : '.'} The options${at ? ` of '${at}'` : ''} are ${known.join(', ')}`;
    }).join('; ');
  }
  const { value, present } = valueAt(d, issue.path);
  const unit = issue.message === DURATION_SYNTAX && typeof value === 'number' ? `, which has no unit: write e.g. '${value}d' for ${value} days or '${value}h' for ${value} hours` : '';
  return `'${at}' must be ${issue.message}; got ${describeValue(value, present)}${unit}`;
}

/**
 * Checks the shape of each definition and of the entities and sources inside it: unknown options
 * (with the likely meant one), missing or mistyped fields, durations without a unit. Throws
 * INVALID_ARGUMENT naming the object, the field and what is expected.
 */
export function checkDefinitions(definitions: readonly Definition[]): void {
  const seen = new Set<unknown>();
  // `within` names the definition holding a nested one (an entity or source written inline).
  const check = (d: Definition, within = '') => {
    if (seen.has(d)) return;
    seen.add(d);
    const shape = shapeOf(d);
    const result = SCHEMAS[shape].safeParse(d);
    if (!result.success) {
      const label = `${definitionLabel(d)}${within && !(d as unknown as Record<symbol, unknown>)[DEFINITION_ORIGIN] ? `, used by ${within},` : ''}`;
      const problems = result.error.issues.map((i) => problem(i, d, shape));
      throw invalid(problems.length === 1
        ? `${label.replace(/,$/, '')}: ${problems[0]}.`
        : `${label.replace(/,$/, '')} has ${problems.length} problems:\n${problems.map((p) => `  - ${p}.`).join('\n')}`);
    }
    const self = definitionLabel(d).replace(/^\w/, (c) => c.toLowerCase());
    if (shape === 'featureView') {
      const v = d as Extract<Definition, { entities: unknown }>;
      v.entities.forEach((e) => check(e, self));
      check(v.source, self);
    }
    if (shape === 'push' && (d as { batchSource?: Definition }).batchSource) check((d as { batchSource: Definition }).batchSource, self);
  };
  definitions.forEach((d) => check(d));
}
