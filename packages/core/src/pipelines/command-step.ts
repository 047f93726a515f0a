import { invalid } from '../errors.js';
import type { KindType } from './artifact-values.js';
import type { Step } from './define.js';
import { defineStep } from './define.js';
import type { ValueKind } from './entities.js';
import type { StepOptions } from './step-definition.js';
import { baseDefinition, checkKinds } from './step-definition.js';

export interface CommandStepOptions<IK extends Record<string, ValueKind>, OK extends Record<string, ValueKind>> extends Omit<StepOptions, 'isolation'> {
  /**
   * The program and its arguments, never a shell string. `{inputs.NAME}` becomes an input's local
   * path (artifacts) or value (numbers, strings, booleans); `{outputs.NAME}` the path to write an
   * output to.
   */
  command: string[];
  /** Input kinds: artifacts arrive as files (`table` as Parquet, `json` as a .json file), scalars as text. */
  inputs?: IK;
  /** Output kinds; the program writes each to `{outputs.NAME}` (`$CAIRN_OUTPUT_NAME`). */
  outputs?: OK;
  /** Extra environment; each input is also in `CAIRN_INPUT_<NAME>` and each output path in `CAIRN_OUTPUT_<NAME>`. */
  env?: Record<string, string>;
  /** Working folder (default: the project folder). */
  cwd?: string;
}

export type KindInputs<IK extends Record<string, ValueKind>> = { [K in keyof IK]: KindType<IK[K]> };

const PLACEHOLDER = /\{(inputs|outputs)\.([A-Za-z0-9_.-]+)\}/g;

/**
 * Defines a step that runs an external program (Python, R, a shell script) in a child process.
 * Input artifacts arrive as files, outputs are files the program writes, and parameters arrive as
 * arguments or environment variables. A non-zero exit fails the step with the end of its stderr.
 *
 * @example
 * ```ts
 * const train = commandStep({
 *   name: 'train',
 *   command: ['python3', 'train.py', '--data', '{inputs.rows}', '--lr', '{inputs.lr}', '--out', '{outputs.model}'],
 *   inputs: { rows: 'table', lr: 'number' },
 *   outputs: { model: 'model', metrics: 'json' },
 * });
 * ```
 */
export function commandStep<const IK extends Record<string, ValueKind> = Record<string, never>, const OK extends Record<string, ValueKind> = Record<string, never>>(
  options: CommandStepOptions<IK, OK>,
): Step<KindInputs<IK>, KindInputs<OK>> {
  const base = baseDefinition(options);
  const argv = options.command;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string') || !argv[0]) {
    throw invalid(`command step '${base.name}': command must be a non-empty array of strings (the program, then its arguments), e.g. ['python3', 'train.py'].`);
  }
  const inputKinds = checkKinds(options.inputs, `command step '${base.name}' input`) ?? {};
  const outputKinds = checkKinds(options.outputs, `command step '${base.name}' output`) ?? {};
  for (const arg of argv) {
    for (const [, side, name] of arg.matchAll(PLACEHOLDER)) {
      const declared = side === 'inputs' ? inputKinds : outputKinds;
      if (!Object.hasOwn(declared, name!)) {
        throw invalid(`command step '${base.name}': argument '${arg}' names ${side}.${name}, which is not declared in ${side} (${Object.keys(declared).join(', ') || 'none'}).`);
      }
    }
  }
  const env = options.env ?? {};
  for (const [k, v] of Object.entries(env)) if (typeof v !== 'string') throw invalid(`command step '${base.name}': env.${k} must be a string.`);
  return defineStep({
    ...base,
    isolation: 'process',
    inputKinds,
    outputKinds,
    impl: { type: 'command', argv: [...argv], env, cwd: options.cwd ?? null },
  });
}

/** Replaces `{inputs.X}` / `{outputs.X}` in each argument. */
export function expandArgs(argv: string[], values: { inputs: Record<string, string>; outputs: Record<string, string> }): string[] {
  return argv.map((arg) => arg.replace(PLACEHOLDER, (_m, side: 'inputs' | 'outputs', name: string) => values[side][name] ?? ''));
}

/** `CAIRN_INPUT_<NAME>` style variable names. */
export function envName(prefix: string, name: string): string {
  return `${prefix}${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
