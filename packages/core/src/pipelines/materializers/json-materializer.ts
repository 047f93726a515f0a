import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValueKind } from '../entities.js';
import type { Materializer } from './materializer.js';
import { canonicalJson, jsonProblem } from './json-check.js';

const FILE = 'value.json';

/** Thrown for a value that is not plain JSON; the runtime adds the step and output names. */
export class UnserializableValueError extends Error {}

/**
 * Plain JSON values (objects, arrays, strings, finite numbers, booleans, null) as one canonical
 * `value.json`: keys sorted, so equal values have equal digests. Command steps may write scalars
 * as bare text (`0.91`, `true`, `done`), which is what `print()` gives.
 */
export class JsonMaterializer implements Materializer {
  readonly id = 'json@1';
  readonly outputName = 'value.json';
  constructor(readonly kind: ValueKind = 'json') {}

  async write(value: unknown, dir: string): Promise<void> {
    const problem = jsonProblem(value);
    if (problem) throw new UnserializableValueError(problem);
    await writeFile(join(dir, FILE), canonicalJson(value));
  }

  async read(dir: string): Promise<unknown> {
    return JSON.parse(await readFile(join(dir, FILE), 'utf8'));
  }

  async adopt(path: string, dir: string): Promise<void> {
    const text = await readFile(path, 'utf8');
    await this.write(this.parse(text.replace(/\r?\n$/, '')), dir);
  }

  private parse(text: string): unknown {
    if (this.kind === 'string') return text;
    if (this.kind === 'number') {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) throw new UnserializableValueError(`the file holds ${JSON.stringify(text.slice(0, 40))}, not a number`);
      return n;
    }
    if (this.kind === 'boolean') {
      const t = text.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') throw new UnserializableValueError(`the file holds ${JSON.stringify(text.slice(0, 40))}, not true or false`);
      return t === 'true';
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new UnserializableValueError(`the file is not valid JSON (${(e as Error).message})`);
    }
  }

  inputPath(dir: string): string {
    return join(dir, FILE);
  }
}
