import { sqlLike } from '../../util/like.js';
import type { Experiment, Run } from '../entities.js';
import { CONTEXT_TAG } from '../entities.js';
import { withMirroredTags } from '../mirrored-tags.js';
import type { Comparison, Entity, FilterNode, OrderTerm } from './ast.js';

// The reference semantics of search, over entities in memory. The SQL compiler must agree with this on
// every dialect; the property tests hold it to that.

type Value = string | number;
/** The values a key has on one run or experiment: none when missing, several for dataset fields. */
type Lookup = (entity: Entity, key: string) => Value[];

/** Whether `run` passes the filter; `null` passes everything. */
export function matchesRun(node: FilterNode | null, run: Run): boolean {
  return node === null || evaluate(node, runLookup(run));
}

export function matchesExperiment(node: FilterNode | null, experiment: Experiment): boolean {
  return node === null || evaluate(node, experimentLookup(experiment));
}

/** A comparator for `Array.prototype.sort` giving the order `order` (from `parseOrderBy`) describes. */
export function compareRuns(order: OrderTerm[]): (a: Run, b: Run) => number {
  return comparator(order, runLookup);
}

export function compareExperiments(order: OrderTerm[]): (a: Experiment, b: Experiment) => number {
  return comparator(order, experimentLookup);
}

function evaluate(node: FilterNode, lookup: Lookup): boolean {
  if (node.kind !== 'comparison') {
    const test = (c: FilterNode) => evaluate(c, lookup);
    return node.kind === 'and' ? node.children.every(test) : node.children.some(test);
  }
  // A missing key never matches, not even `!=` or NOT IN; a dataset field matches if any input does.
  return lookup(node.entity, node.key).some((v) => test(node, v));
}

function test(c: Comparison, v: Value): boolean {
  if (c.valueType === 'number') {
    if (typeof v !== 'number') return false;
    // NaN is unequal to everything and neither greater nor smaller than anything.
    if (Number.isNaN(v)) return c.op === '!=';
    switch (c.op) {
      case '=': return v === c.value;
      case '!=': return v !== c.value;
      case '>': return v > c.value;
      case '>=': return v >= c.value;
      case '<': return v < c.value;
      case '<=': return v <= c.value;
    }
  }
  if (typeof v !== 'string') return false;
  switch (c.op) {
    case '=': return v === c.value;
    case '!=': return v !== c.value;
    case 'LIKE': return sqlLike(v, c.value, false);
    case 'ILIKE': return sqlLike(v, c.value, true);
    case 'IN': return c.value.includes(v);
    case 'NOT IN': return !c.value.includes(v);
  }
}

const present = (v: Value | null | undefined): Value[] => (v === null || v === undefined ? [] : [v]);

function runLookup(run: Run): Lookup {
  // Tags as clients see them: `tags.mlflow.runName`, `.user` and `.parentRunId` mirror the run's fields.
  let tags: Run['data']['tags'] | undefined;
  return (entity, key) => {
    switch (entity) {
      case 'metric': return present(run.data.metrics.find((m) => m.key === key)?.value);
      case 'param': return present(Object.hasOwn(run.data.params, key) ? run.data.params[key] : undefined);
      case 'tag': {
        tags ??= withMirroredTags(run);
        return present(Object.hasOwn(tags, key) ? tags[key] : undefined);
      }
      case 'dataset': return run.inputs.flatMap((i) => present(datasetValue(i.dataset.name, i.dataset.digest, i.tags, key)));
      case 'attribute': return present(runAttribute(run, key));
    }
  };
}

function datasetValue(name: string, digest: string, tags: Record<string, string>, key: string): string | undefined {
  if (key === 'name') return name;
  if (key === 'digest') return digest;
  return Object.hasOwn(tags, CONTEXT_TAG) ? tags[CONTEXT_TAG] : undefined;
}

function runAttribute(run: Run, key: string): Value | null {
  const info = run.info;
  switch (key) {
    case 'run_id': return info.runId;
    case 'run_name': return info.runName;
    case 'status': return info.status;
    case 'user_id': return info.userId;
    case 'artifact_uri': return info.artifactUri;
    case 'lifecycle_stage': return info.lifecycleStage;
    case 'start_time': return info.startTime;
    case 'end_time': return info.endTime;
    default: throw new Error(`no run attribute '${key}'`);
  }
}

function experimentLookup(experiment: Experiment): Lookup {
  return (entity, key) => {
    if (entity === 'tag') return present(Object.hasOwn(experiment.tags, key) ? experiment.tags[key] : undefined);
    switch (key) {
      case 'name': return [experiment.name];
      case 'creation_time': return [experiment.creationTime];
      case 'last_update_time': return [experiment.lastUpdateTime];
      case 'experiment_id': return [Number(experiment.experimentId)];
      default: throw new Error(`no experiment field '${entity}.${key}'`);
    }
  };
}

// Values sort first, then NaN, then rows without the key, in either direction.
function comparator<T>(order: OrderTerm[], lookupOf: (item: T) => Lookup): (a: T, b: T) => number {
  return (a, b) => {
    const la = lookupOf(a);
    const lb = lookupOf(b);
    for (const term of order) {
      const va = la(term.entity, term.key)[0];
      const vb = lb(term.entity, term.key)[0];
      const ra = rank(va);
      const rb = rank(vb);
      if (ra !== rb) return ra - rb;
      if (ra !== 0) continue;
      const c = compareValues(va as Value, vb as Value);
      if (c !== 0) return term.ascending ? c : -c;
    }
    return 0;
  };
}

const rank = (v: Value | undefined): number => (v === undefined ? 2 : typeof v === 'number' && Number.isNaN(v) ? 1 : 0);

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareCodePoints(String(a), String(b));
}

/**
 * Orders strings by Unicode code point, which is the byte order of their UTF-8 form: what SQLite's
 * BINARY collation and PostgreSQL's "C" collation give. JavaScript's `<` compares UTF-16 units instead,
 * which puts characters beyond U+FFFF (emoji) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointWeight(x) - codePointWeight(y);
  }
  return a.length - b.length;
}

// Surrogates (U+D800–U+DFFF) start characters above U+FFFF, so they must weigh more than U+E000–U+FFFF.
const codePointWeight = (unit: number): number => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);
