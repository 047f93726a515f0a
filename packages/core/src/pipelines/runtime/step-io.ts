import { artifactKind } from '../artifact-values.js';
import { kindsCompatible } from '../dag.js';
import type { ArtifactRecord, ValueKind } from '../entities.js';
import type { ArtifactObjects } from '../materializers/artifact-objects.js';
import { UnserializableValueError } from '../materializers/json-materializer.js';
import type { Materializer } from '../materializers/materializer.js';
import { materializerById, materializerForValue } from '../materializers/registry.js';
import type { LinkInput } from '../sql/lineage-store.js';
import { guardInputs } from '../function-inputs.js';
import type { StepDefinition } from '../step-definition.js';

/**
 * A failure that retrying cannot fix (bad outputs, a missing program, unloadable code). The
 * message names the step and, where there is one, the output.
 */
export class StepDefinitionError extends Error {
  override readonly name = 'StepDefinitionError';
}

/**
 * The inputs object a function step receives. A step that declares no inputs and takes them as
 * one object (`(inputs, ctx) => …`) gets it guarded: reading an input the pipeline does not pass
 * fails the step, naming it, instead of handing it `undefined`.
 */
export function stepInputs(def: StepDefinition, stepId: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (def.impl.type !== 'function' || def.inputKinds || def.impl.reads.form !== 'object') return inputs;
  const given = Object.keys(inputs);
  return guardInputs(inputs, (name) => new StepDefinitionError(
    `step '${stepId}' read input '${name}', which the pipeline does not pass to it (it passes ${given.length ? given.join(', ') : 'no inputs'}). ` +
    `Pass it where the pipeline calls the step (${def.name}({ ${name}: … })); if it is optional, destructure it with a default ({ ${name} = … }) or test \`'${name}' in inputs\` first.`,
  ));
}

/** Reads input artifacts back into values, next to the parameter and literal inputs. */
export async function loadInputs(objects: ArtifactObjects, artifacts: Record<string, ArtifactRecord>, values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const inputs: Record<string, unknown> = { ...values };
  for (const [name, rec] of Object.entries(artifacts)) {
    const dir = await objects.fetch(rec);
    inputs[name] = await materializerById(rec.materializer, rec.kind).read(dir);
  }
  return inputs;
}

/** Stores one output with `materializer`, turning a refused value into an error naming step and output. */
export async function saveOutput(objects: ArtifactObjects, stepId: string, name: string, materializer: Materializer, write: (dir: string) => Promise<void>, now: number): Promise<LinkInput> {
  try {
    const saved = await objects.save(materializer, write);
    return { name, artifact: { ...saved, createdTime: now } };
  } catch (e) {
    if (e instanceof UnserializableValueError) {
      throw new StepDefinitionError(`step '${stepId}' returned an unserializable value for output '${name}': ${e.message.replace(/^value/, name)}. Return JSON values (plain objects, arrays, strings, finite numbers, booleans, null), table(rows) for tables, or file()/folder()/model() for files.`);
    }
    throw e;
  }
}

/**
 * Stores what a function step returned: an object of named outputs (or nothing). Each value's
 * type picks its materializer; declared output kinds must be present and match.
 */
export async function saveOutputs(objects: ArtifactObjects, stepId: string, declared: Record<string, ValueKind> | null, result: unknown, now: () => number): Promise<LinkInput[]> {
  if (result === undefined || result === null) {
    if (declared && Object.keys(declared).length) throw new StepDefinitionError(`step '${stepId}' returned nothing, but declares outputs ${Object.keys(declared).join(', ')}.`);
    return [];
  }
  if (typeof result !== 'object' || Array.isArray(result) || artifactKind(result)) {
    throw new StepDefinitionError(`step '${stepId}' must return an object of named outputs (e.g. { model, auc }) or nothing; it returned ${Array.isArray(result) ? 'an array' : artifactKind(result) ?? typeof result}.`);
  }
  const entries = Object.entries(result as Record<string, unknown>);
  for (const name of Object.keys(declared ?? {})) {
    if (!Object.hasOwn(result, name)) throw new StepDefinitionError(`step '${stepId}' did not return its declared output '${name}'.`);
  }
  const out: LinkInput[] = [];
  for (const [name, value] of entries) {
    if (declared && !Object.hasOwn(declared, name)) throw new StepDefinitionError(`step '${stepId}' returned output '${name}', which it does not declare (outputs: ${Object.keys(declared).join(', ')}).`);
    if (value === undefined) throw new StepDefinitionError(`step '${stepId}' returned an unserializable value for output '${name}': it is undefined. Return null for "no value", or leave the output out.`);
    const m = materializerForValue(value);
    const expected = declared?.[name];
    if (expected && !kindsCompatible(expected, m.kind)) throw new StepDefinitionError(`step '${stepId}' output '${name}' is declared ${expected} but the step returned a ${m.kind} value.`);
    out.push(await saveOutput(objects, stepId, name, m, (dir) => m.write(value, dir), now()));
  }
  return out;
}

/** Error text and stack of anything thrown. */
export function describeError(e: unknown): { message: string; stack: string | null } {
  if (e instanceof Error) return { message: e.message || e.name, stack: e.stack ?? null };
  return { message: `a non-Error value was thrown: ${String(e)}`, stack: null };
}
