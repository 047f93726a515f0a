import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CairnError } from '../errors.js';
import type { ModelVersion } from '../registry/entities.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { ModelRuntime, RuntimeOptions } from './model-runtime.js';

/** The formats `cairn models serve` can load, and the ones that need `--allow-unsafe`. */
export const SERVABLE_FORMATS = ['onnx', 'cairn-json'] as const;
export const UNSAFE_SERVABLE_FORMATS = ['sklearn-pickle', 'mlflow-pyfunc'] as const;

/** A version's files copied to a local folder (each checked against its recorded sha256). */
export async function fetchVersionFiles(registry: RegistryService, version: ModelVersion): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `cairn-model-${version.version}-`));
  try {
    for (const f of await registry.versions.files(version.name, version.version)) {
      const target = join(dir, f.path);
      await mkdir(dirname(target), { recursive: true });
      const { stream } = await registry.versions.openFile(version.name, version.version, f.path);
      await pipeline(stream, createWriteStream(target));
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Refuses a version that cannot be served as asked: an unsafe format (loading it runs code) without
 * `allowUnsafe`, or a format no runtime loads. Checked before any file is read.
 */
export function checkServable(version: ModelVersion, options: Pick<RuntimeOptions, 'allowUnsafe'>): void {
  const ref = `${version.name}/${version.version}`;
  if ((UNSAFE_SERVABLE_FORMATS as readonly string[]).includes(version.format)) {
    if (!options.allowUnsafe) {
      throw new CairnError('FAILED_PRECONDITION', `${ref} is ${version.format}, a format whose loading runs arbitrary code (pickle). Serve it only if you trust who registered it, with --allow-unsafe (it then runs in a separate Python worker).`);
    }
    return;
  }
  if (!(SERVABLE_FORMATS as readonly string[]).includes(version.format)) {
    throw new CairnError('FAILED_PRECONDITION', `${ref} is '${version.format}', which \`cairn models serve\` cannot load. It serves ${SERVABLE_FORMATS.join(' and ')} models, and ${UNSAFE_SERVABLE_FORMATS.join(' and ')} with --allow-unsafe; register the version with --format if it was detected wrongly.`);
  }
}

/** Loads a version's runtime from its local files: the one place that picks a runtime by format. */
export async function openRuntime(version: ModelVersion, dir: string, options: RuntimeOptions, onRestart?: (reason: string) => void): Promise<ModelRuntime> {
  checkServable(version, options);
  switch (version.format) {
    case 'onnx': {
      const { OnnxRuntime } = await import('./runtimes/onnx/onnx-runtime.js');
      return OnnxRuntime.open(dir, version.signature, options.onnxThreads);
    }
    case 'cairn-json': {
      const { CairnJsonRuntime } = await import('./runtimes/cairn-json/cairn-json-runtime.js');
      return CairnJsonRuntime.open(dir);
    }
    default: {
      const { PythonWorkerRuntime } = await import('./runtimes/python/python-worker-runtime.js');
      return PythonWorkerRuntime.open({ python: options.python, timeoutMs: options.pythonTimeoutMs, format: version.format, dir, onRestart });
    }
  }
}
