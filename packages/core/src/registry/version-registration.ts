import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { CairnError, invalid, isCairnError, notFound } from '../errors.js';
import { checkTags } from '../tracking/experiment-service.js';
import type { Tags } from '../tracking/entities.js';
import { validateRelativePath } from '../paths/index.js';
import type { ModelFile, ModelFormat, ModelVersion, Signature } from './entities.js';
import { checkFormat, detectFormat, isUnsafeFormat, readMlmodel } from './model-format.js';
import type { ModelRef } from './model-uri.js';
import { lockModel, versionNotFound, type RegistryContext, type WriteOptions } from './registry-context.js';
import { checkSignature } from './signature.js';
import { toManifest } from './sql/row-mappers.js';
import type { ModelVersionRow } from './sql/rows.js';
import { copyFiles, manifestDigest, manifestOf, readMlmodelText, sourceFiles, storagePathOf } from './version-files.js';
import { resolveSource } from './version-source.js';
import { latestDatasetOfRun } from './lineage/lineage-sources.js';
import { checkDescription, checkInputExample, checkModelName, parseVersion } from './validation.js';

export interface CreateVersionInput {
  /** The registered model; it must exist. */
  name: string;
  /** `runs:/<run id>/<path>`, a Cairn artifact URI inside a run's artifacts, `models:/NAME/N`, or omit to upload. */
  source?: string | null;
  runId?: string | null;
  description?: string | null;
  tags?: Tags;
  signature?: Signature | null;
  inputExample?: unknown;
  /** Detected from the files when omitted. */
  format?: ModelFormat | null;
  /** The training set (feature store) the model learned from; by default the newest one its run recorded. */
  trainingDatasetId?: string | null;
}

/**
 * Registers a version: checks everything, takes the next number in a short transaction (so
 * concurrent registrations get 1, 2, 3… with no gap), copies the files into the version's own
 * storage while hashing them, then marks it READY with its size, digest, format and signature.
 * A failed copy leaves a FAILED_REGISTRATION version and rethrows. With no source the version stays
 * PENDING_REGISTRATION until its files are uploaded and {@link finalizeUpload} runs.
 */
export async function registerVersion(ctx: RegistryContext, input: CreateVersionInput, options: WriteOptions): Promise<{ name: string; version: number }> {
  const name = checkModelName(input?.name);
  await ctx.requireModel(name);
  const source = await resolveSource(input.source, input.runId, { runInfo: (id) => ctx.runs.getInfo(id) });
  const description = checkDescription(input.description);
  const tags = checkTags(input.tags ?? {});
  const signature = checkSignature(input.signature);
  const inputExample = checkInputExample(input.inputExample);
  const format = input.format ? checkFormat(input.format) : null;

  let files: Array<{ path: string; key: string }> = [];
  let runId = source.kind === 'model' ? null : source.runId;
  let externalUri = source.kind === 'external' ? source.source : null;
  if (source.kind === 'run') {
    files = await sourceFiles(ctx.artifacts, source.prefix);
    if (!files.length) throw invalid(`The source '${source.source}' holds no files. Log the model's files to the run first.`, { field: 'source' });
  } else if (source.kind === 'model') {
    const from = await fromVersion(ctx, source.ref, source.source);
    // A copy of an external version points where the original does; there are no files to copy.
    externalUri = from.external_uri;
    files = externalUri === null ? toManifest(from).map((f) => ({ path: f.path, key: `${from.storage_path}/${f.path}` })) : [];
    runId = input.runId ?? from.run_id;
  }
  const external = externalUri !== null;

  const trainingDatasetId = await trainingDatasetOf(ctx, input.trainingDatasetId, runId);
  const created = await ctx.tx(options, async (s) => {
    const model = await lockModel(s, name);
    const version = await s.models.nextVersion(model.model_id, s.now);
    const row: ModelVersionRow = {
      model_id: model.model_id, version, creation_time: s.now, last_updated_time: s.now, user_id: s.actor.name, description,
      source: source.source, run_id: runId, status: external ? 'READY' : 'PENDING_REGISTRATION', status_message: null, current_stage: 'None',
      storage_path: storagePathOf(model.model_id, version), format: format ?? 'other', unsafe: format ? (isUnsafeFormat(format) ? 1 : 0) : 1,
      signature: signature ? JSON.stringify(signature) : null, input_example: inputExample, size_bytes: null, digest: null, file_count: null, manifest: null,
      external_uri: externalUri,
      ...(trainingDatasetId ? { training_dataset_id: trainingDatasetId } : {}),
    };
    await s.versions.insert(row, tags);
    // An external version is complete at once: Cairn records the pointer and holds no files.
    if (external) await s.record({ action: 'version.created', modelId: model.model_id, modelName: model.name, version, after: { source: source.source, runId, status: 'READY', external: externalUri } });
    else await s.record({ action: 'version.pending', modelId: model.model_id, modelName: model.name, version, after: { source: source.source, runId } });
    return row;
  });
  if (source.kind === 'upload' || external) return { name, version: created.version };
  try {
    const manifest = await copyFiles(ctx.artifacts, files, created.storage_path);
    await complete(ctx, name, created, manifest, format, signature, options);
  } catch (e) {
    await fail(ctx, name, created, e, options);
    throw e;
  }
  return { name, version: created.version };
}

// Which training set a version learned from: the one given (it must exist), else the newest one
// its run recorded. Serving looks features up through its feature service, and the monitor measures
// drift against its statistics.
async function trainingDatasetOf(ctx: RegistryContext, given: string | null | undefined, runId: string | null): Promise<string | null> {
  if (given) {
    if (typeof given !== 'string' || !(await datasetExists(ctx, given))) throw invalid(`Training dataset '${String(given).slice(0, 64)}' does not exist. List them with \`cairn features datasets\`.`, { field: 'trainingDatasetId' });
    return given;
  }
  return runId ? latestDatasetOfRun(ctx.db, runId) : null;
}

async function datasetExists(ctx: RegistryContext, id: string): Promise<boolean> {
  return (await sql<{ n: number }>`select 1 as n from feature_training_datasets where dataset_id = ${id}`.execute(ctx.db).catch(() => ({ rows: [] }))).rows.length > 0;
}

async function fromVersion(ctx: RegistryContext, ref: ModelRef, source: string): Promise<ModelVersionRow> {
  const model = await ctx.requireModel(ref.name);
  let version: number | null = null;
  if (ref.kind === 'version') version = ref.version;
  else if (ref.kind === 'alias') version = await ctx.aliases.get(model.model_id, ref.alias);
  const row = ref.kind === 'latest' ? await ctx.versions.latest(model.model_id, null)
    : ref.kind === 'stage' ? await ctx.versions.latest(model.model_id, ref.stage)
      : version === null ? undefined : await ctx.versions.row(model.model_id, version);
  if (!row) throw notFound(`'${source}'`, 'Check the model, version or alias it names.');
  if (row.status !== 'READY') throw new CairnError('FAILED_PRECONDITION', `'${source}' is ${row.status}; only READY versions can be copied.`);
  return row;
}

async function complete(ctx: RegistryContext, name: string, row: ModelVersionRow, manifest: ModelFile[], format: ModelFormat | null, signature: Signature | null, options: WriteOptions): Promise<void> {
  const mlmodelText = await readMlmodelText(ctx.artifacts, row.storage_path, manifest);
  const mlmodel = mlmodelText === null ? null : readMlmodel(mlmodelText);
  const finalFormat = format ?? detectFormat(manifest.map((f) => f.path), mlmodel);
  const finalSignature = signature ?? mlmodel?.signature ?? null;
  const size = manifest.reduce((n, f) => n + f.size, 0);
  const digest = manifestDigest(manifest);
  await ctx.tx(options, async (s) => {
    await s.versions.complete(
      { modelId: row.model_id, version: row.version },
      { status: 'READY', statusMessage: null, files: manifest, size, digest, format: finalFormat, unsafe: isUnsafeFormat(finalFormat), signature: finalSignature ? JSON.stringify(finalSignature) : null },
      s.now,
    );
    await s.record({
      action: 'version.created', modelId: row.model_id, modelName: name, version: row.version,
      after: { source: row.source, runId: row.run_id, status: 'READY', format: finalFormat, size, digest, files: manifest.length },
    });
  });
}

async function fail(ctx: RegistryContext, name: string, row: ModelVersionRow, error: unknown, options: WriteOptions): Promise<void> {
  const message = isCairnError(error) ? error.message : `copying the files failed: ${(error as Error)?.message ?? String(error)}`;
  await ctx.tx(options, async (s) => {
    await s.versions.complete({ modelId: row.model_id, version: row.version }, { status: 'FAILED_REGISTRATION', statusMessage: message.slice(0, 2000) }, s.now);
    await s.record({ action: 'version.failed', modelId: row.model_id, modelName: name, version: row.version, after: { status: 'FAILED_REGISTRATION', message: message.slice(0, 2000) } });
  }).catch(() => {
    // The original error is what the caller needs; the version stays PENDING and says so.
  });
}

async function pendingUpload(ctx: RegistryContext, name: string, version: string | number): Promise<ModelVersionRow> {
  const model = await ctx.requireModel(name);
  const v = parseVersion(name, version);
  const row = await ctx.versions.row(model.model_id, v);
  if (!row) throw versionNotFound(name, v);
  if (row.source !== 'upload' || row.status !== 'PENDING_REGISTRATION') {
    throw new CairnError('FAILED_PRECONDITION', `Version ${v} of '${name}' is ${row.status}${row.source !== 'upload' ? ` and was registered from ${row.source}` : ''}; files can only be added to a pending upload.`);
  }
  return row;
}

/** Adds one file to a pending upload. */
export async function uploadFile(ctx: RegistryContext, name: string, version: string | number, path: string, body: Readable | Buffer | Uint8Array | AsyncIterable<Uint8Array>, maxBytes?: number): Promise<ModelFile> {
  const row = await pendingUpload(ctx, name, version);
  const rel = validateRelativePath(path, 'path');
  const put = await ctx.artifacts.put(`${row.storage_path}/${rel}`, body, maxBytes === undefined ? undefined : { maxBytes });
  return { path: rel, size: put.size, sha256: put.sha256 };
}

/** Ends an upload: hashes what arrived and marks the version READY. */
export async function finalizeUpload(ctx: RegistryContext, name: string, version: string | number, options: WriteOptions): Promise<void> {
  const row = await pendingUpload(ctx, name, version);
  const manifest = await manifestOf(ctx.artifacts, row.storage_path);
  if (!manifest.length) throw new CairnError('FAILED_PRECONDITION', `Version ${row.version} of '${name}' has no files yet; upload the model's files before finalizing.`);
  const format = row.format === 'other' && row.unsafe === 1 ? null : (row.format as ModelFormat);
  await complete(ctx, name, row, manifest, format, row.signature === null ? null : (JSON.parse(row.signature) as Signature), options);
}

export type { ModelVersion };
