import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { envName, expandArgs } from '../command-step.js';
import type { ValueKind } from '../entities.js';
import { canonicalJson } from '../materializers/json-check.js';
import { materializerById, materializerForKind } from '../materializers/registry.js';
import type { LinkInput } from '../sql/lineage-store.js';
import type { StepDefinition } from '../step-definition.js';
import type { AttemptEnv } from './attempt-env.js';
import { abortText, runProcess } from './process-runner.js';
import { StepDefinitionError, saveOutput } from './step-io.js';

const SCALARS: readonly ValueKind[] = ['number', 'string', 'boolean'];

/**
 * Runs a command step: delivers inputs as files (artifacts) or text (number, string and boolean
 * inputs, whether literals, params or another step's output), runs the program
 * with `{inputs.X}` / `{outputs.X}` expanded and the same values in `CAIRN_INPUT_X` /
 * `CAIRN_OUTPUT_X`, then stores each declared output from the path the program wrote.
 */
export async function runCommandStep(def: StepDefinition, stepId: string, env: AttemptEnv): Promise<LinkInput[]> {
  const impl = def.impl;
  if (impl.type !== 'command') throw new Error('not a command step');
  const inputKinds = def.inputKinds ?? {};
  const outputKinds = def.outputKinds ?? {};
  const inputDir = join(env.workdir(), 'inputs');
  const outputDir = join(env.workdir(), 'outputs');
  await mkdir(inputDir, { recursive: true });
  await mkdir(outputDir, { recursive: true });

  const inputs: Record<string, string> = {};
  for (const [name, kind] of Object.entries(inputKinds)) {
    const rec = env.task.artifacts[name];
    if (rec && SCALARS.includes(kind) && rec.materializer.startsWith('json@')) {
      // A number, string or boolean from another step's output arrives as text, as a literal or a param does.
      const value: unknown = JSON.parse(await readFile(materializerById(rec.materializer, rec.kind).inputPath(await env.objects.fetch(rec)), 'utf8'));
      inputs[name] = typeof value === 'string' ? value : JSON.stringify(value);
    } else if (rec) {
      inputs[name] = materializerById(rec.materializer, rec.kind).inputPath(await env.objects.fetch(rec));
    } else {
      const value = env.task.values[name];
      if (SCALARS.includes(kind) || (kind === 'json' && typeof value !== 'object')) {
        inputs[name] = typeof value === 'string' ? value : JSON.stringify(value);
      } else {
        inputs[name] = join(inputDir, `${name}.json`);
        await writeFile(inputs[name], canonicalJson(value));
      }
    }
  }
  const outputs: Record<string, string> = {};
  for (const [name, kind] of Object.entries(outputKinds)) {
    outputs[name] = join(outputDir, `${name}${suffix(kind)}`);
    if (kind === 'folder' || kind === 'model') await mkdir(outputs[name], { recursive: true });
  }

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...impl.env,
    CAIRN_RUN_ID: env.task.runId,
    CAIRN_STEP_ID: stepId,
    CAIRN_STEP_RUN_ID: env.task.stepRunId,
    CAIRN_ATTEMPT: String(env.task.attempt),
    CAIRN_OUTPUT_DIR: outputDir,
    ...(env.trackingRunId ? { CAIRN_TRACKING_RUN_ID: env.trackingRunId } : {}),
  };
  for (const [name, v] of Object.entries(inputs)) childEnv[envName('CAIRN_INPUT_', name)] = v;
  for (const [name, v] of Object.entries(outputs)) childEnv[envName('CAIRN_OUTPUT_', name)] = v;
  const cwd = impl.cwd ? (isAbsolute(impl.cwd) ? impl.cwd : join(env.projectDir, impl.cwd)) : env.projectDir;
  const argv = expandArgs(impl.argv, { inputs, outputs });

  const { done } = runProcess(argv, { cwd, env: childEnv, sink: env.sink, signal: env.signal, processes: env.processes });
  const result = await done;
  if (result.spawnError) {
    const code = result.spawnError.code;
    const why = code === 'ENOENT' ? 'was not found (ENOENT): install it or fix command[0] (it is looked up on PATH)' : `could not be started (${code ?? result.spawnError.message})`;
    throw new StepDefinitionError(`command step '${stepId}': program '${argv[0]}' ${why}.`);
  }
  if (result.stoppedBecause !== null) throw new Error(`command step '${stepId}' was stopped: ${result.stoppedBecause || abortText(env.signal)}`);
  if (result.code !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
    const tail = env.sink.tail.slice(-10).join('\n');
    throw new Error(`command step '${stepId}' ${how}${tail ? `; the end of its stderr:\n${tail}` : ' (no stderr output)'}`);
  }

  const saved: LinkInput[] = [];
  for (const [name, kind] of Object.entries(outputKinds)) {
    const path = outputs[name]!;
    if (!existsSync(path)) throw new StepDefinitionError(`command step '${stepId}' did not write its output '${name}' to ${path} ($${envName('CAIRN_OUTPUT_', name)}).`);
    const m = materializerForKind(kind);
    saved.push(await saveOutput(env.objects, stepId, name, m, (dir) => m.adopt(path, dir), env.now()));
  }
  return saved;
}

function suffix(kind: ValueKind): string {
  if (kind === 'table') return '.parquet';
  if (kind === 'json' || SCALARS.includes(kind)) return '.json';
  return '';
}
