import { resolve } from 'node:path';
import type { ArtifactStore } from './artifacts/index.js';
import { LocalArtifactStore } from './artifacts/index.js';
import { TokenService } from './auth/index.js';
import type { CairnConfig } from './config/config.js';
import { openMetadataDatabase, type MetadataDatabase } from './db/database.js';
import { CairnError } from './errors.js';
import { ExperimentService } from './tracking/experiment-service.js';
import { RunService } from './tracking/run-service.js';

/** Everything a Cairn process works with, wired from one config. */
export interface Platform {
  config: CairnConfig;
  database: MetadataDatabase;
  artifacts: ArtifactStore;
  experiments: ExperimentService;
  runs: RunService;
  tokens: TokenService;
  close(): Promise<void>;
}

/**
 * The one place that picks backends: the store URI's scheme chooses the metadata database, the
 * artifact URI's scheme the artifact store. Services never import a concrete backend.
 */
export async function openPlatform(config: CairnConfig): Promise<Platform> {
  const artifacts = createArtifactStore(config);
  const database = await openMetadataDatabase(config.store.uri, config.projectDir);
  const experiments = new ExperimentService(database.db, database.dialect);
  const runs = new RunService(database.db, database.dialect, experiments, artifacts);
  const tokens = new TokenService(database.db);
  return { config, database, artifacts, experiments, runs, tokens, close: () => database.close() };
}

export function createArtifactStore(config: CairnConfig): ArtifactStore {
  const uri = config.artifact.uri;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new CairnError('INVALID_ARGUMENT', `Unsupported artifact URI '${uri}'. Use a local folder (the default .cairn/artifacts) or file:///abs/path.`);
  }
  const dir = uri.startsWith('file://') ? new URL(uri).pathname : uri.startsWith('file:') ? uri.slice(5) : uri;
  return new LocalArtifactStore(resolve(config.projectDir, dir));
}
