import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { folder, model, type FolderArtifact, type ModelArtifact } from '../artifact-values.js';
import type { Materializer } from './materializer.js';
import { canonicalJson, jsonProblem } from './json-check.js';
import { UnserializableValueError } from './json-materializer.js';

async function copyFolder(path: string, to: string): Promise<void> {
  const s = await stat(path).catch(() => null);
  if (!s?.isDirectory()) throw new UnserializableValueError(`${path} is not a folder${s ? '' : ' (it does not exist)'}`);
  await cp(path, to, { recursive: true, dereference: true, errorOnExist: false });
}

/** A folder with everything under it, stored as `data/…`. */
export class FolderMaterializer implements Materializer {
  readonly id = 'folder@1';
  readonly kind = 'folder' as const;
  readonly outputName = 'folder';

  async write(value: unknown, dir: string): Promise<void> {
    await this.adopt((value as FolderArtifact).path, dir);
  }

  async read(dir: string): Promise<unknown> {
    return folder(this.inputPath(dir));
  }

  async adopt(path: string, dir: string): Promise<void> {
    await copyFolder(path, join(dir, 'data'));
  }

  inputPath(dir: string): string {
    return join(dir, 'data');
  }
}

const META = 'cairn-model.json';

/**
 * A model folder (`model/…`) and its metadata (`cairn-model.json`: framework, flavour, metrics).
 * A command step's model folder may carry its own `cairn-model.json`, which becomes the metadata.
 */
export class ModelMaterializer implements Materializer {
  readonly id = 'model-folder@1';
  readonly kind = 'model' as const;
  readonly outputName = 'model';

  async write(value: unknown, dir: string): Promise<void> {
    const m = value as ModelArtifact;
    const problem = jsonProblem(m.metadata, 'metadata');
    if (problem) throw new UnserializableValueError(problem);
    await copyFolder(m.path, join(dir, 'model'));
    await writeFile(join(dir, META), canonicalJson(m.metadata ?? {}));
  }

  async read(dir: string): Promise<unknown> {
    return model(join(dir, 'model'), JSON.parse(await readFile(join(dir, META), 'utf8')) as Record<string, unknown>);
  }

  async adopt(path: string, dir: string): Promise<void> {
    await copyFolder(path, join(dir, 'model'));
    let metadata: unknown = {};
    const inner = await readFile(join(path, META), 'utf8').catch(() => null);
    if (inner !== null) {
      await rm(join(dir, 'model', META));
      try {
        metadata = JSON.parse(inner);
      } catch {
        throw new UnserializableValueError(`${join(path, META)} is not valid JSON`);
      }
    }
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, META), canonicalJson(metadata));
  }

  inputPath(dir: string): string {
    return join(dir, 'model');
  }
}
