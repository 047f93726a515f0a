import { readdirSync } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { file, type FileArtifact } from '../artifact-values.js';
import type { Materializer } from './materializer.js';
import { UnserializableValueError } from './json-materializer.js';

/** One file, kept under its own name (the name is part of the digest). */
export class FileMaterializer implements Materializer {
  readonly id = 'file@1';
  readonly kind = 'file' as const;
  readonly outputName = 'file';

  async write(value: unknown, dir: string): Promise<void> {
    await this.adopt((value as FileArtifact).path, dir);
  }

  async read(dir: string): Promise<unknown> {
    return file(this.inputPath(dir));
  }

  async adopt(path: string, dir: string): Promise<void> {
    const s = await stat(path).catch(() => null);
    if (!s?.isFile()) throw new UnserializableValueError(`${path} is not a file${s ? '' : ' (it does not exist)'}`);
    await copyFile(path, join(dir, basename(path)));
  }

  inputPath(dir: string): string {
    return join(dir, readdirSync(dir).find((n) => !n.startsWith('.cairn')) ?? 'file');
  }
}
