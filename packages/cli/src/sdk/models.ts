import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type {
  AuditEvent,
  AuditQuery,
  GateEvaluation,
  GatePolicy,
  Lineage,
  ModelFile,
  ModelFormat,
  ModelVersion,
  Promotion,
  RegisteredModel,
  SetGateInput,
  Signature,
  Tags,
} from '@cairn/core';
import { CairnError, isCairnError, parseModelRef, resolveUnderRoot } from '@cairn/core';
import type { AliasOverride, RegistryBackend } from './registry-backend.js';

export interface RegisterOptions {
  /** The registered model; created when missing unless `createModel` is false. */
  name: string;
  /** `runs:/<run id>/<path>`, `models:/NAME/N`, or a Cairn artifact URI inside a run's artifacts. */
  source?: string;
  /** A local folder (or file) to upload as the version's files, instead of `source`. */
  path?: string;
  /** The run that produced the model (lineage, gate metrics) when uploading or with an artifact URI. */
  runId?: string;
  description?: string;
  tags?: Tags;
  signature?: Signature;
  inputExample?: unknown;
  /** Detected from the files when omitted. */
  format?: ModelFormat;
  createModel?: boolean;
}

export interface DownloadResult {
  version: ModelVersion;
  dir: string;
  files: ModelFile[];
}

/**
 * The model registry from the SDK: `cairn.models`. Works the same in-process and against a server.
 *
 * @example
 * ```ts
 * const v = await cairn.models.register({ name: 'churn', source: `runs:/${run.id}/model` });
 * const p = await cairn.models.promote('churn', v.version, 'champion');
 * const champion = await cairn.models.get('churn@champion');
 * await cairn.models.download('churn@champion', './serving/model');
 * ```
 */
export class ModelQueries {
  constructor(private readonly backend: () => RegistryBackend) {}

  /**
   * Registers a new version, from a run's artifacts (`source`) or by uploading a local folder (`path`).
   *
   * @example
   * ```ts
   * await cairn.models.register({ name: 'churn', source: `runs:/${runId}/model`, tags: { data: '2024-q3' } });
   * await cairn.models.register({ name: 'churn', path: './out/model', runId, format: 'onnx' });
   * ```
   */
  async register(options: RegisterOptions): Promise<ModelVersion> {
    const b = this.backend();
    if (options.source && options.path) throw new CairnError('INVALID_ARGUMENT', "Give either 'source' (a run's artifacts) or 'path' (a local folder to upload), not both.");
    if (!options.source && !options.path) throw new CairnError('INVALID_ARGUMENT', "Give 'source' (e.g. runs:/<run id>/model) or 'path' (a local folder to upload).");
    if (options.createModel !== false) await this.ensureModel(options.name);
    const common = { name: options.name, runId: options.runId ?? null, description: options.description ?? null, tags: options.tags, signature: options.signature ?? null, inputExample: options.inputExample, format: options.format ?? null };
    if (options.source) return b.createVersion({ ...common, source: options.source });
    const files = await localFiles(options.path!);
    const pending = await b.createVersion({ ...common, source: null });
    for (const f of files) await b.uploadVersionFile(options.name, pending.version, f.path, { file: f.local });
    return b.finalizeVersion(options.name, pending.version);
  }

  /**
   * The version a reference names: `churn@champion`, `churn/3`, `churn/latest`, `models:/churn@champion`.
   *
   * @example
   * ```ts
   * const { version, digest } = await cairn.models.get('churn@champion');
   * ```
   */
  get(uri: string): Promise<ModelVersion> {
    return this.backend().resolve(uri);
  }

  model(name: string): Promise<RegisteredModel> {
    return this.backend().getModel(name);
  }

  /** Registered models matching a filter such as `tags.team = 'risk'`, every page. */
  async list(options: { filter?: string; orderBy?: string[] } = {}): Promise<RegisteredModel[]> {
    const out: RegisteredModel[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.backend().searchModels({ ...options, maxResults: 1000, pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  /** A model's versions, newest first. */
  async versions(name: string, options: { filter?: string; maxResults?: number } = {}): Promise<ModelVersion[]> {
    await this.backend().getModel(name);
    const filter = `name = '${name}'${options.filter ? ` and (${options.filter})` : ''}`;
    return (await this.backend().searchVersions({ filter, orderBy: ['version_number DESC'], maxResults: options.maxResults ?? 1000 })).items;
  }

  /**
   * Moves `alias` to the version only if the alias's gate passes. Check `passed`; every condition
   * comes with its actual values.
   *
   * @example
   * ```ts
   * const p = await cairn.models.promote('churn', 7, 'champion');
   * if (!p.passed) throw new Error(p.conditions.filter((c) => !c.passed).map((c) => c.expression).join('; '));
   * ```
   */
  promote(name: string, version: number, alias: string, options: { reason?: string } = {}): Promise<Promotion> {
    return this.backend().promote(name, version, alias, options);
  }

  /** Evaluates the gate without moving anything. */
  evaluate(name: string, version: number, alias: string): Promise<GateEvaluation> {
    return this.backend().evaluateGate(name, version, alias);
  }

  setAlias(name: string, alias: string, version: number, override: AliasOverride = {}): Promise<void> {
    return this.backend().setAlias(name, alias, version, override);
  }

  deleteAlias(name: string, alias: string, override: AliasOverride = {}): Promise<void> {
    return this.backend().deleteAlias(name, alias, override);
  }

  /** Which version held `alias` at `time` (a Date or epoch ms). */
  aliasAt(name: string, alias: string, time: Date | number): Promise<{ version: number | null; event: AuditEvent | null }> {
    return this.backend().aliasAt(name, alias, typeof time === 'number' ? time : time.getTime());
  }

  /** The audit log of a model, newest first. */
  async history(name: string, options: Omit<AuditQuery, 'model'> = {}): Promise<AuditEvent[]> {
    return (await this.backend().audit({ ...options, model: name })).items;
  }

  /** The run, data, code, pipeline run and feature service behind a version. */
  async lineage(uri: string): Promise<Lineage> {
    const v = await this.get(uri);
    return this.backend().lineage(v.name, v.version);
  }

  setGate(input: SetGateInput): Promise<GatePolicy> {
    return this.backend().setGate(input);
  }

  gates(name: string): Promise<GatePolicy[]> {
    return this.backend().gates(name);
  }

  /**
   * Downloads a version's files into `dir`, checking every file against the sha256 recorded at
   * registration. Nothing is loaded or executed; `version.unsafe` says whether loading the format
   * would run code.
   *
   * @example
   * ```ts
   * const { version } = await cairn.models.download('churn@champion', './model');
   * if (version.unsafe) console.warn(`${version.format} runs code when loaded`);
   * ```
   */
  async download(uri: string, dir: string): Promise<DownloadResult> {
    parseModelRef(uri);
    const version = await this.get(uri);
    if (version.status !== 'READY') throw new CairnError('FAILED_PRECONDITION', `Version ${version.version} of '${version.name}' is ${version.status}; only READY versions can be downloaded.`);
    const files = await this.backend().versionFiles(version.name, version.version);
    await mkdir(dir, { recursive: true });
    for (const f of files) {
      const target = resolveUnderRoot(dir, f.path);
      await mkdir(dirname(target), { recursive: true });
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(await this.backend().openVersionFile(version.name, version.version, f.path), tap, createWriteStream(target));
      if (hash.digest('hex') !== f.sha256) {
        await rm(target, { force: true });
        throw new CairnError('INTERNAL', `'${f.path}' of ${version.name}/${version.version} does not match the sha256 recorded at registration; the download was discarded.`);
      }
    }
    return { version, dir, files };
  }

  private async ensureModel(name: string): Promise<void> {
    try {
      await this.backend().getModel(name);
    } catch (e) {
      if (!isCairnError(e, 'NOT_FOUND')) throw e;
      await this.backend().createModel({ name }).catch((err: unknown) => {
        if (!isCairnError(err, 'ALREADY_EXISTS')) throw err;
      });
    }
  }
}

/** Regular files under a folder (or the file itself), with `/`-separated relative paths. Links are refused. */
async function localFiles(path: string): Promise<Array<{ path: string; local: string }>> {
  const info = await lstat(path).catch(() => null);
  if (!info) throw new CairnError('NOT_FOUND', `'${path}' does not exist.`);
  if (info.isFile()) return [{ path: path.split(sep).pop()!, local: path }];
  if (!info.isDirectory()) throw new CairnError('INVALID_ARGUMENT', `'${path}' is neither a file nor a folder.`);
  const out: Array<{ path: string; local: string }> = [];
  for (const entry of (await readdir(path, { recursive: true, withFileTypes: true })).sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)))) {
    const local = join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) throw new CairnError('INVALID_ARGUMENT', `'${local}' is a symbolic link; copy the file it points to into the folder instead.`);
    if (entry.isFile()) out.push({ path: relative(path, local).split(sep).join('/'), local });
  }
  if (!out.length) throw new CairnError('INVALID_ARGUMENT', `'${path}' holds no files.`);
  return out;
}
