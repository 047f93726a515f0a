import { dirname, join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from './artifacts/index.js';
import { LocalArtifactStore } from './artifacts/index.js';
import { LazyArtifactStore } from './artifacts/lazy-artifact-store.js';
import { parseS3Uri } from './artifacts/s3/s3-location.js';
import { resolveUnderRoot } from './paths/index.js';
import { TokenService } from './auth/index.js';
import type { CairnConfig } from './config/config.js';
import { openMetadataDatabase, redact, sqliteFileOf, type MetadataDatabase } from './db/database.js';
import { CairnError } from './errors.js';
import type { OfflineStore } from './features/offline/offline-store.js';
import type { OnlineStore } from './features/online/online-store.js';
import type { RedisClient } from './features/online/redis/redis-online-store.js';
import { FeatureService } from './features/feature-service.js';
import type { FeatureTables } from './features/sql/rows.js';
import { ExperimentService } from './tracking/experiment-service.js';
import { RunService } from './tracking/run-service.js';
import { RunViewService } from './tracking/run-view-service.js';
import { LineageGraphService } from './lineage/lineage-graph-service.js';
import { LineageGraphStore } from './lineage/sql/lineage-graph-store.js';
import type { Executor } from './pipelines/executors/executor.js';
import { LocalExecutor } from './pipelines/executors/local/local-executor.js';
import { PipelineService } from './pipelines/pipeline-service.js';
import type { PostgresListener } from './db/postgres/postgres-listener.js';
import { ResolveCache } from './registry/resolve-cache.js';
import { RegistryService } from './registry/registry-service.js';
import { REGISTRY_CHANNEL } from './registry/sql/change-notice.js';
import { WebhookSecretBox } from './registry/webhooks/secret-box.js';
import { loadWebhookSecretKey, type WebhookKeyFallback } from './registry/webhooks/secret-key.js';
import { MonitorService } from './monitoring/monitor-service.js';
import type { InferenceLogStore } from './serving/inference-log/inference-log-store.js';
import { LabelStore } from './serving/inference-log/sql/label-store.js';
import type { ServingTables } from './serving/inference-log/sql/rows.js';

/** Everything a Cairn process works with, wired from one config. */
export interface Platform {
  config: CairnConfig;
  database: MetadataDatabase;
  artifacts: ArtifactStore;
  experiments: ExperimentService;
  runs: RunService;
  /** Read-only views for the web UI: experiment counts, key lists, sampled histories, artifact previews. */
  runViews: RunViewService;
  tokens: TokenService;
  features: FeatureService;
  pipelines: PipelineService;
  registry: RegistryService;
  /** The inference log `cairn models serve` writes and the monitor reads (`serving.inference_log.store`). */
  inferenceLog: InferenceLogStore;
  monitoring: MonitorService;
  /** One lineage graph across the registry, runs, features and pipelines (reads only). */
  lineage: LineageGraphService;
  close(): Promise<void>;
}

/**
 * The one place that picks backends: the store URI's scheme chooses the metadata database, the
 * artifact URI's scheme the artifact store. Services never import a concrete backend.
 */
export async function openPlatform(config: CairnConfig): Promise<Platform> {
  const artifacts = await createArtifactStore(config);
  // Uploads cut off by a killed process leave temp files; each process opening the store sweeps them.
  if (artifacts instanceof LocalArtifactStore) await artifacts.sweepLeftoverUploads();
  const { max_connections, statement_timeout_ms, connect_timeout_ms } = config.store;
  const database = await openMetadataDatabase(config.store.uri, config.projectDir, { maxConnections: max_connections, statementTimeoutMs: statement_timeout_ms, connectTimeoutMs: connect_timeout_ms });
  const experiments = new ExperimentService(database.db, database.dialect);
  const runs = new RunService(database.db, database.dialect, experiments, artifacts);
  const runViews = new RunViewService(database.db, database.dialect, experiments, runs);
  const tokens = new TokenService(database.db);
  const features = new FeatureService({
    db: database.db.withTables<FeatureTables>() as unknown as Kysely<FeatureTables>, runs, definitionsDir: resolve(config.projectDir, config.features.dir),
    offline: () => createOfflineStore(config), online: () => createOnlineStore(config), registryRefreshMs: config.features.registry_refresh_ms,
  });
  const pipelines = new PipelineService({ db: database.db, experiments, runs, artifacts, config, executor: await createPipelineExecutor(config) });
  // pg is loaded only for a PostgreSQL store (a SQLite CLI command never pays for it).
  const Listener = database.dialect === 'postgres' ? (await import('./db/postgres/postgres-listener.js')).PostgresListener : null;
  const { registry, listener } = openRegistry(config, database, artifacts, runs, experiments, Listener);
  // Best effort: a store another process is migrating, or a read-only one, keeps them as they are for now.
  await registry.webhooks.sealPlainSecrets().catch(() => 0);
  const servingDb = database.db.withTables<ServingTables>() as unknown as Kysely<ServingTables>;
  const inferenceLog = await createInferenceLogStore(config, servingDb, artifacts);
  const monitoring = new MonitorService({
    db: database.db, registry, features, runs, experiments, log: inferenceLog, labels: new LabelStore(servingDb), thresholds: config.monitoring,
  });
  const lineage = new LineageGraphService({ registry, runs, experiments, features, pipelines, store: new LineageGraphStore(database.db) });
  return {
    config, database, artifacts, experiments, runs, runViews, tokens, features, pipelines, registry, inferenceLog, monitoring, lineage,
    close: async () => {
      await inferenceLog.close();
      await registry.close();
      await listener?.close();
      await pipelines.close();
      await features.close();
      await database.close();
    },
  };
}

/** The inference log by `serving.inference_log.store`: Parquet in the artifact store, or the metadata database. */
export async function createInferenceLogStore(config: CairnConfig, db: Kysely<ServingTables>, artifacts: ArtifactStore): Promise<InferenceLogStore> {
  if (config.serving.inference_log.store === 'database') {
    const { SqlInferenceLogStore } = await import('./serving/inference-log/sql/sql-inference-log-store.js');
    return new SqlInferenceLogStore(db);
  }
  const { ParquetInferenceLogStore } = await import('./serving/inference-log/parquet/parquet-inference-log-store.js');
  // A local store's files are read in place by DuckDB; any other store's are copied first.
  const local = artifacts instanceof LocalArtifactStore ? artifacts : null;
  return new ParquetInferenceLogStore(artifacts, { localPath: local ? (key) => resolveUnderRoot(local.root, key) : undefined });
}

/** The feature online store by URI scheme: `sqlite:<path>` or `redis://`. Drivers load on first use. */
export async function createOnlineStore(config: CairnConfig): Promise<OnlineStore> {
  const { uri, key_prefix, read_timeout_ms, write_timeout_ms } = config.features.online_store;
  if (uri.startsWith('sqlite:')) {
    const path = uri.slice('sqlite:'.length);
    const file = path === ':memory:' ? path : resolve(config.projectDir, path);
    const [{ default: BetterSqlite3 }, { SqliteOnlineStore }, { mkdirSync }, { dirname }] = await Promise.all([
      import('better-sqlite3'), import('./features/online/sqlite/sqlite-online-store.js'), import('node:fs'), import('node:path'),
    ]);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new SqliteOnlineStore(new BetterSqlite3(file, { timeout: 60_000 }));
  }
  if (/^rediss?:\/\//.test(uri)) {
    const [{ Redis }, { RedisOnlineStore }] = await Promise.all([import('ioredis'), import('./features/online/redis/redis-online-store.js')]);
    const client = new Redis(uri, {
      // Commands fail soon while Redis is away (the store's timeouts bound them anyway), so serving
      // answers 503 and a materialization stops cleanly and resumes from its watermark...
      maxRetriesPerRequest: 1, connectTimeout: 2000,
      // ...but the client reconnects forever, backing off to one try every 2 s, and recovers by itself.
      retryStrategy: (n: number) => Math.min(100 * 2 ** Math.min(n - 1, 5), 2000),
      // Commands waiting with no byte back for this long mean a hung server or a lost path: reconnect.
      socketTimeout: Math.max(read_timeout_ms, write_timeout_ms),
    });
    client.on('error', () => {});
    return new RedisOnlineStore(client as unknown as RedisClient, { keyPrefix: key_prefix, readTimeoutMs: read_timeout_ms, writeTimeoutMs: write_timeout_ms, where: `Redis at ${redact(uri)}` });
  }
  throw new CairnError('INVALID_ARGUMENT', `Unsupported online store URI '${uri}'. Set features.online_store.uri (CAIRN_FEATURES_ONLINE_STORE_URI) to sqlite:<path> or redis://host:port/db.`);
}

/** The feature offline store: DuckDB, in memory (`duckdb`) or in a file (`duckdb:<path>`). */
export async function createOfflineStore(config: CairnConfig): Promise<OfflineStore> {
  const o = config.features.offline_store;
  if (o.uri !== 'duckdb' && !o.uri.startsWith('duckdb:')) {
    throw new CairnError('INVALID_ARGUMENT', `Unsupported offline store URI '${o.uri}'. Set features.offline_store.uri (CAIRN_FEATURES_OFFLINE_STORE_URI) to duckdb or duckdb:<path>.`);
  }
  const { DuckDBOfflineStore } = await import('./features/offline/duckdb/duckdb-offline-store.js');
  let postgres;
  if (config.features.postgres_uri) {
    const [{ createPostgresSourcePool }, { PostgresSourceReader }] = await Promise.all([import('./features/offline/postgres/postgres-pool.js'), import('./features/offline/postgres/postgres-source-reader.js')]);
    postgres = new PostgresSourceReader(createPostgresSourcePool(config.features.postgres_uri));
  }
  const path = o.uri === 'duckdb' ? ':memory:' : resolve(config.projectDir, o.uri.slice('duckdb:'.length));
  return DuckDBOfflineStore.open({
    path, baseDir: config.projectDir, pushDir: o.push_dir, threads: o.threads || undefined, memoryLimit: o.memory_limit || undefined,
    tempDirectory: resolve(config.projectDir, '.cairn/duckdb-tmp'), postgres,
  });
}

/**
 * The artifact store by `artifact.uri`: a local folder (a path or `file:`) or `s3://bucket/prefix`.
 * An S3 URI is checked now; the AWS SDK loads on the first artifact operation.
 */
export async function createArtifactStore(config: CairnConfig): Promise<ArtifactStore> {
  const uri = config.artifact.uri;
  if (/^s3:/i.test(uri)) {
    const location = parseS3Uri(uri);
    const s3 = config.artifact.s3;
    return new LazyArtifactStore(`s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`, async () => {
      const [{ S3ArtifactStore }, { createS3Client }] = await Promise.all([import('./artifacts/s3/s3-artifact-store.js'), import('./artifacts/s3/s3-client.js')]);
      return new S3ArtifactStore({
        ...location, client: createS3Client(s3), endpoint: s3.endpoint, maxAttempts: s3.max_attempts,
        partSize: s3.part_size_mb * 1024 * 1024, uploadConcurrency: s3.upload_concurrency,
      });
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new CairnError('INVALID_ARGUMENT', `Unsupported artifact URI '${uri}'. Set artifact.uri in cairn.yaml (or the environment variable CAIRN_ARTIFACT_URI) to a local folder (the default is .cairn/artifacts), file:///abs/path or s3://bucket/prefix.`);
  }
  const dir = uri.startsWith('file://') ? new URL(uri).pathname : uri.startsWith('file:') ? uri.slice(5) : uri;
  return new LocalArtifactStore(resolve(config.projectDir, dir));
}

/** The pipeline executor by `pipelines.executor`: `local` (this process) or `queue` (BullMQ workers; loaded on use). */
export async function createPipelineExecutor(config: CairnConfig): Promise<Executor> {
  const p = config.pipelines;
  if (p.executor === 'local') return new LocalExecutor();
  const { QueueExecutor } = await import('./pipelines/executors/queue/queue-executor.js');
  return new QueueExecutor({
    redisUri: p.queue_redis_uri, prefix: p.queue_prefix, lockMs: p.queue_lock_seconds * 1000, stalledIntervalMs: p.queue_stalled_check_seconds * 1000,
    replyTimeoutMs: p.queue_reply_timeout_seconds * 1000,
  });
}

/**
 * The model registry, with its webhook dispatcher running (unref'd) in this process. On PostgreSQL
 * resolved aliases are cached, kept fresh by a LISTEN connection opened on the first resolve (the
 * cache is bypassed until it listens, and whenever it is down).
 */
function openRegistry(config: CairnConfig, database: MetadataDatabase, artifacts: ArtifactStore, runs: RunService, experiments: ExperimentService, Listener: typeof PostgresListener | null): { registry: RegistryService; listener: PostgresListener | null } {
  const r = config.registry;
  const cached = Listener !== null && r.resolve_cache_seconds > 0;
  const resolveCache: ResolveCache | null = cached ? new ResolveCache({ ttlMs: r.resolve_cache_seconds * 1000, maxEntries: 10_000, activate: () => void listener?.start() }) : null;
  const listener = resolveCache && Listener && new Listener({
    uri: config.store.uri,
    channels: [REGISTRY_CHANNEL],
    handlers: { notification: (_channel, name) => resolveCache.invalidate(name), listening: (up) => (up ? resolveCache.resume() : resolveCache.suspend()) },
  });
  // A configured key is checked now; a key file is read (or created) only when webhooks need it.
  const fallback = webhookKeyFallback(config);
  const key = r.webhook_secret_key.trim() ? loadWebhookSecretKey(r.webhook_secret_key, fallback) : () => loadWebhookSecretKey('', fallback);
  const secrets = new WebhookSecretBox(key, 'Set registry.webhook_secret_key (CAIRN_REGISTRY_WEBHOOK_SECRET_KEY) to the same key on every Cairn process sharing this store.');
  const registry = new RegistryService({
    db: database.db, dialect: database.dialect, artifacts, runs, experiments, resolveCache,
    webhooks: { allowPrivate: r.webhooks_allow_private, timeoutMs: r.webhook_timeout_seconds * 1000, maxAttempts: r.webhook_max_attempts, backoffMs: r.webhook_backoff_seconds * 1000, pollMs: 5000, secrets },
  });
  registry.webhooks.dispatcher.start();
  return { registry, listener };
}

/**
 * Where the webhook secret key comes from when none is configured: a key file next to a SQLite
 * database (every process using that file reads it too), a per-process key for an in-memory store,
 * and none for PostgreSQL, whose processes may run on several machines and must share a configured key.
 */
function webhookKeyFallback(config: CairnConfig): WebhookKeyFallback {
  const file = sqliteFileOf(config.store.uri, config.projectDir);
  if (file === null) return { kind: 'none' };
  if (file === ':memory:') return { kind: 'ephemeral' };
  return { kind: 'file', path: join(dirname(file), 'webhook-secret.key') };
}
