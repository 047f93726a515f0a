import { CairnError } from '../errors.js';
import { artifactKind } from './artifact-values.js';
import type { DagSpec } from './define.js';
import type { ValueKind } from './entities.js';
import { jsonProblem } from './materializers/json-check.js';
import type { ParamSpecs } from './params.js';
import { paramKind } from './params.js';
import type { NodeSpec } from './step-definition.js';

/** A validated node: its place in topological order and its neighbours (by index). */
export interface DagNode extends NodeSpec {
  index: number;
  upstream: number[];
  downstream: number[];
}

/** A validated, topologically ordered pipeline graph. */
export interface Dag {
  pipeline: string;
  params: ParamSpecs;
  nodes: DagNode[];
  byId: Map<string, DagNode>;
  /** What could not be checked (shown before running; nothing is refused for it). */
  warnings: string[];
}

const SCALARS: readonly ValueKind[] = ['json', 'number', 'string', 'boolean'];

/** Whether a value of kind `actual` may feed an input declared `expected`. */
export function kindsCompatible(expected: ValueKind, actual: ValueKind): boolean {
  if (expected === actual) return true;
  if (SCALARS.includes(expected) && SCALARS.includes(actual)) return expected === 'json' || actual === 'json';
  return expected === 'folder' && actual === 'model';
}

function literalKind(v: unknown): ValueKind {
  return typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'json';
}

/**
 * Checks a built graph before anything runs: unknown steps, params and outputs, missing or
 * undeclared inputs, kind mismatches and cycles, all reported at once with the step names.
 * Returns the nodes in topological order (a stable one: ties keep definition order).
 */
export function validateDag(spec: DagSpec): Dag {
  const problems = [...spec.problems];
  const ids = new Map<string, NodeSpec>();
  for (const n of spec.nodes) ids.set(n.id, n);
  if (spec.nodes.length === 0) problems.push(`pipeline '${spec.pipeline}' has no steps: call at least one step in its builder`);

  const warnings: string[] = [];
  const unreadable = new Set<string>();
  for (const node of spec.nodes) {
    checkNode(node, spec, ids, problems);
    if (!node.step.inputKinds && node.step.impl.type === 'function' && node.step.impl.reads.form === 'unknown' && !unreadable.has(node.step.name)) {
      unreadable.add(node.step.name);
      warnings.push(`step '${node.step.name}' declares no inputs and Cairn cannot tell from its function which ones it reads, so an input the pipeline does not pass arrives as undefined; declare them with step({ inputs: { … } }) to have them checked`);
    }
  }

  const order = problems.length ? [] : topoOrder(spec.nodes, ids, problems);
  if (problems.length) {
    const shown = problems.slice(0, 20).map((p) => `  - ${p}`).join('\n');
    const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '';
    throw new CairnError('INVALID_ARGUMENT', `Pipeline '${spec.pipeline}' is not valid; nothing was run:\n${shown}${more}`, { details: { problems } });
  }
  const index = new Map(order.map((n, i) => [n.id, i]));
  const nodes: DagNode[] = order.map((n, i) => ({ ...n, index: i, upstream: [], downstream: [] }));
  for (const node of nodes) {
    const up = new Set<number>();
    for (const dep of dependencies(node)) up.add(index.get(dep)!);
    node.upstream = [...up].sort((a, b) => a - b);
    for (const u of node.upstream) nodes[u]!.downstream.push(node.index);
  }
  return { pipeline: spec.pipeline, params: spec.params, nodes, byId: new Map(nodes.map((n) => [n.id, n])), warnings };
}

function checkNode(node: NodeSpec, spec: DagSpec, ids: Map<string, NodeSpec>, problems: string[]): void {
  const declared = node.step.inputKinds;
  const isCommand = node.step.impl.type === 'command';
  for (const [name, b] of Object.entries(node.bindings)) {
    const where = `step '${node.id}' input '${name}'`;
    if (declared && !Object.hasOwn(declared, name)) {
      problems.push(`${where} is not an input of step '${node.step.name}' (inputs: ${Object.keys(declared).join(', ') || 'none'})`);
      continue;
    }
    const expected = declared?.[name];
    let actual: ValueKind | undefined;
    if (b.from === 'output') {
      const producer = ids.get(b.step);
      if (!producer) {
        problems.push(`${where} comes from step '${b.step}', which is not in the pipeline`);
        continue;
      }
      const outs = producer.step.outputKinds;
      if (outs && !Object.hasOwn(outs, b.output)) {
        problems.push(`${where} reads output '${b.output}' of step '${b.step}', which declares only ${Object.keys(outs).join(', ') || 'no outputs'}`);
        continue;
      }
      actual = outs?.[b.output];
      if (expected && actual && !kindsCompatible(expected, actual)) {
        problems.push(`type mismatch: ${where} expects ${expected}, but output '${b.output}' of step '${b.step}' is ${actual}`);
      }
    } else if (b.from === 'param') {
      const p = spec.params[b.name];
      if (!p) continue; // reported while building
      actual = paramKind(p);
      if (expected && !kindsCompatible(expected, actual)) problems.push(`type mismatch: ${where} expects ${expected}, but param '${b.name}' is ${p.type}`);
    } else {
      if (artifactKind(b.value)) {
        problems.push(`${where} is a literal ${artifactKind(b.value)}: literal inputs must be JSON values; return files from a step instead`);
        continue;
      }
      const bad = jsonProblem(b.value);
      if (bad) {
        problems.push(`${where} is not a JSON value (${bad})`);
        continue;
      }
      actual = literalKind(b.value);
      if (expected && !kindsCompatible(expected, actual)) problems.push(`type mismatch: ${where} expects ${expected}, but is given a literal ${actual}`);
    }
    if (isCommand && expected === undefined) problems.push(`${where} has no declared kind`);
  }
  if (declared) {
    for (const name of Object.keys(declared)) {
      if (!Object.hasOwn(node.bindings, name)) problems.push(`step '${node.id}' is missing input '${name}' (${declared[name]})`);
    }
  } else if (node.step.impl.type === 'function' && node.step.impl.reads.form === 'destructured') {
    // Undeclared: the names its function destructures without a default are the inputs it needs.
    for (const name of node.step.impl.reads.required) {
      if (!Object.hasOwn(node.bindings, name)) problems.push(`step '${node.id}' is missing input '${name}': its function reads it and gives it no default; pass it (${node.step.name}({ ${name}: … })) or, if it is optional, give it a default in the function`);
    }
  }
  for (const dep of node.after) {
    if (!ids.has(dep)) problems.push(`step '${node.id}' runs after step '${dep}', which is not in the pipeline`);
  }
}

function dependencies(node: NodeSpec): string[] {
  const deps = node.after.slice();
  for (const b of Object.values(node.bindings)) if (b.from === 'output') deps.push(b.step);
  return deps;
}

// Depth-first, visiting nodes in definition order and emitting each after its dependencies, so a
// graph built in call order keeps that order. Iterative: a 10,000-step chain must not overflow the stack.
function topoOrder(nodes: NodeSpec[], ids: Map<string, NodeSpec>, problems: string[]): NodeSpec[] {
  const state = new Map<string, 'open' | 'done'>();
  const order: NodeSpec[] = [];
  for (const root of nodes) {
    if (state.has(root.id)) continue;
    const stack: Array<{ node: NodeSpec; deps: string[]; next: number }> = [{ node: root, deps: dependencies(root), next: 0 }];
    state.set(root.id, 'open');
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.deps.length) {
        const dep = top.deps[top.next++]!;
        const s = state.get(dep);
        if (s === 'done') continue;
        if (s === 'open') {
          const path = stack.map((f) => f.node.id);
          // Dependencies point backwards; reverse so the cycle reads in execution order.
          const cycle = [...path.slice(path.indexOf(dep)), dep].reverse();
          problems.push(`cycle: ${cycle.join(' → ')}: a step cannot depend on itself, directly or through others`);
          return [];
        }
        const node = ids.get(dep)!;
        state.set(dep, 'open');
        stack.push({ node, deps: dependencies(node), next: 0 });
      } else {
        stack.pop();
        state.set(top.node.id, 'done');
        order.push(top.node);
      }
    }
  }
  return order;
}
