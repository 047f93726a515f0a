import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CairnError } from '../errors.js';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const port = z.coerce.number().int().min(0).max(65535);
const stringList = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]);

export const configSchema = z.strictObject({
  store: z.strictObject({
    /** `sqlite:<path>` (default) or `postgres://…`. */
    uri: z.string().min(1).default('sqlite:.cairn/cairn.db'),
    /** PostgreSQL: connections in the pool. */
    max_connections: z.coerce.number().int().min(1).max(1000).default(10),
    /** PostgreSQL: longest a statement may run (server-side statement_timeout, also enforced by the client); 0 for none. */
    statement_timeout_ms: z.coerce.number().int().min(0).default(30_000),
    /** PostgreSQL: longest a query waits for a pooled connection (a free one, or a new one to connect). */
    connect_timeout_ms: z.coerce.number().int().positive().default(10_000),
  }).prefault({}),
  artifact: z.strictObject({
    /** A local folder (default `.cairn/artifacts`), `file:<path>`, or `s3://bucket[/prefix]` (settings below). */
    uri: z.string().min(1).default('.cairn/artifacts'),
    /** Only for `s3://` URIs. Credentials come from the AWS SDK's standard chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, roles), never from here. */
    s3: z.strictObject({
      /** An S3-compatible endpoint (MinIO, R2, Ceph), e.g. `http://127.0.0.1:9000`; empty for AWS. */
      endpoint: z.string().default(''),
      /** The bucket's region; empty for the SDK's (AWS_REGION, the profile), else `us-east-1`. */
      region: z.string().default(''),
      /** Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most S3-compatible servers need it). */
      force_path_style: bool.default(false),
      /** Size of one multipart-upload part; memory per upload is about this times `upload_concurrency`. */
      part_size_mb: z.coerce.number().int().min(5).max(5120).default(8),
      /** Parts of one upload sent at once. */
      upload_concurrency: z.coerce.number().int().min(1).max(64).default(4),
      /** Attempts per request (the SDK's standard retry strategy: backoff with jitter, 503 SlowDown and 5xx retried). */
      max_attempts: z.coerce.number().int().min(1).max(20).default(5),
    }).prefault({}),
  }).prefault({}),
  server: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(5050),
    /** Host headers accepted (blocks DNS rebinding). Empty means loopback names plus the bind host. */
    allowed_hosts: stringList.default([]),
    body_limit_bytes: z.coerce.number().int().positive().default(16 * 1024 * 1024),
    request_log: bool.default(true),
    /**
     * How log lines look: `text` (one readable line each), `json` (pino's JSON, for log collectors),
     * or `auto` (default): text when stdout is a terminal, JSON otherwise.
     */
    log_format: z.enum(['auto', 'text', 'json']).default('auto'),
  }).prefault({}),
  /** `enabled` turns on token auth; every route is then denied unless its policy allows the caller. */
  auth: z.enum(['enabled', 'disabled']).default('disabled'),
  tracking: z.strictObject({
    /** A RUNNING run with no heartbeat for this long is marked KILLED. */
    heartbeat_timeout_seconds: z.coerce.number().int().positive().default(600),
  }).prefault({}),
  registry: z.strictObject({
    /** Let webhooks reach private, loopback and link-local addresses (refused by default: SSRF). */
    webhooks_allow_private: bool.default(false),
    /** How long one webhook delivery may take. */
    webhook_timeout_seconds: z.coerce.number().positive().max(300).default(10),
    /** Attempts per delivery before it is marked failed. */
    webhook_max_attempts: z.coerce.number().int().min(1).max(50).default(8),
    /** Delay before the first retry; each later retry doubles it. */
    webhook_backoff_seconds: z.coerce.number().positive().default(5),
    /**
     * PostgreSQL: how long a process may serve a resolved alias from memory at most. Writes in any
     * process invalidate it at once (LISTEN/NOTIFY); this bounds staleness if notifications are lost
     * unnoticed. 0 turns the cache off.
     */
    resolve_cache_seconds: z.coerce.number().min(0).max(3600).default(5),
    /**
     * The 256-bit key that encrypts webhook signing secrets at rest (64 hex digits or base64). A
     * secret: set it through CAIRN_REGISTRY_WEBHOOK_SECRET_KEY. Unset, a SQLite store uses a key file
     * next to its database; a PostgreSQL store refuses to create webhooks.
     */
    webhook_secret_key: z.string().default(''),
  }).prefault({}),
  features: z.strictObject({
    /** Folder of feature definition files (.ts), relative to the project folder. */
    dir: z.string().min(1).default('features'),
    online_store: z.strictObject({
      /** `sqlite:<path>` (embedded default) or `redis://host:port/db`. */
      uri: z.string().min(1).default('sqlite:.cairn/online.db'),
      /** Prefix of every Redis key, so several projects can share one Redis. */
      key_prefix: z.string().default('cairn:features:'),
      /** Redis: longest an online read (serving) may wait for Redis before answering 503. */
      read_timeout_ms: z.coerce.number().int().positive().default(500),
      /** Redis: longest an online write (push, a materialization batch) may wait for Redis. */
      write_timeout_ms: z.coerce.number().int().positive().default(5000),
    }).prefault({}),
    offline_store: z.strictObject({
      /** `duckdb` (in memory) or `duckdb:<path>` (a database file). */
      uri: z.string().min(1).default('duckdb'),
      /** Where rows pushed through the API are kept (Parquet files), relative to the project folder. */
      push_dir: z.string().min(1).default('.cairn/feature-push'),
      /** DuckDB's memory limit, e.g. `4GB`; empty for DuckDB's default (80% of RAM). */
      memory_limit: z.string().default(''),
      /** DuckDB threads; 0 for one per core. */
      threads: z.coerce.number().int().min(0).default(0),
    }).prefault({}),
    /** PostgreSQL holding `postgresSource` tables (`postgres://…`); secrets belong in CAIRN_FEATURES_POSTGRES_URI. */
    postgres_uri: z.string().default(''),
    /** How long a process trusts its cached registry objects before checking for a newer apply. */
    registry_refresh_ms: z.coerce.number().int().min(0).default(1000),
  }).prefault({}),
  pipelines: z.strictObject({
    /** `local` runs steps in this process (and its children); `queue` sends them to `cairn worker` processes over Redis. */
    executor: z.enum(['local', 'queue']).default('local'),
    /** Steps a run executes at once (local) or keeps dispatched at once (queue). */
    concurrency: z.coerce.number().int().min(1).max(10_000).default(8),
    /** A RUNNING pipeline run whose runner stopped heartbeating for this long is marked FAILED. */
    heartbeat_timeout_seconds: z.coerce.number().int().positive().default(60),
    /** Redis of the queue executor. */
    queue_redis_uri: z.string().min(1).default('redis://127.0.0.1:6379'),
    /** Prefix of the queue's Redis keys, so several projects can share one Redis. */
    queue_prefix: z.string().min(1).default('cairn'),
    /** A killed worker's step is handed to another worker within about this long plus the stalled-check interval. */
    queue_lock_seconds: z.coerce.number().positive().default(20),
    queue_stalled_check_seconds: z.coerce.number().positive().default(10),
    /**
     * A queue connection waiting this long for Redis's reply is dropped and reconnected (a hung Redis,
     * a network path lost without a reset). Workers wait up to 10 s for a step, so it must be longer.
     */
    queue_reply_timeout_seconds: z.coerce.number().min(15).max(3600).default(30),
    /** Steps one `cairn worker` runs at once. */
    worker_concurrency: z.coerce.number().int().min(1).default(4),
    /** `cairn server` fires cron schedules too (besides `cairn scheduler`). */
    server_scheduler: bool.default(false),
    /** A scheduler that claimed a tick holds it this long (renewed while it starts the run); another takes it over after. */
    scheduler_lease_seconds: z.coerce.number().positive().default(30),
  }).prefault({}),
  /** `cairn models serve`: the model server (see docs/serving.md). */
  serving: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(5051),
    /** Processes answering on the port (Node cluster); 0 uses one per core. */
    workers: z.coerce.number().int().min(0).max(256).default(1),
    /** Rows one request may score; more is refused (400) before anything is scored. */
    max_rows: z.coerce.number().int().positive().default(10_000),
    body_limit_bytes: z.coerce.number().int().positive().default(32 * 1024 * 1024),
    /** How often an alias is checked for a move (SQLite; on PostgreSQL notifications come first, this is the fallback). */
    alias_poll_ms: z.coerce.number().int().min(50).default(2000),
    /** The interpreter for unsafe formats (with --allow-unsafe): a path or a name on PATH. */
    python: z.string().min(1).default('python3'),
    /** A Python request taking longer kills and restarts the worker (the request gets 503). */
    python_timeout_seconds: z.coerce.number().positive().default(30),
    /** ONNX Runtime threads per model; 0 for its default. */
    onnx_threads: z.coerce.number().int().min(0).default(1),
    request_log: bool.default(false),
    inference_log: z.strictObject({
      enabled: bool.default(true),
      /** `artifacts`: Parquet files in the artifact store (monitoring/inference-log/model=…/version=…/day=…); `database`: the metadata database. */
      store: z.enum(['artifacts', 'database']).default('artifacts'),
      /** Fraction of requests logged (1 logs every request). */
      sample_rate: z.coerce.number().min(0).max(1).default(1),
      /** Rows written per batch, at most. */
      batch_rows: z.coerce.number().int().positive().default(10_000),
      /** A batch is written at least this often. */
      flush_ms: z.coerce.number().int().positive().default(1000),
      /** Rows kept waiting at most; past it rows are dropped and counted (cairn_inference_log_lost_rows_total). */
      max_buffer_rows: z.coerce.number().int().positive().default(200_000),
      /** Rows of failed writes (the database away, a full disk) kept in the spool and written again until it works, at most; past it a failed batch is dropped and counted. */
      max_retry_rows: z.coerce.number().int().nonnegative().default(1_000_000),
      /** Append each request's rows to a local spool file before answering, so rows still buffered survive the process being killed (written by the next server started). */
      spool: bool.default(true),
      /** The spool's folder, relative to the project folder: local disk, one per machine. */
      spool_dir: z.string().min(1).default('.cairn/inference-spool'),
    }).prefault({}),
  }).prefault({}),
  /** `cairn monitor`: drift, data quality and live performance thresholds (see docs/monitoring.md). */
  monitoring: z.strictObject({
    /** Population stability index of a numeric feature (or of the predictions) at or above this is drift. */
    psi_threshold: z.coerce.number().positive().default(0.2),
    /** Kolmogorov-Smirnov statistic of a numeric feature at or above this is drift. */
    ks_threshold: z.coerce.number().positive().max(1).default(0.2),
    /** Jensen-Shannon distance (base 2) of a categorical feature at or above this is drift. */
    js_threshold: z.coerce.number().positive().max(1).default(0.1),
    /** Chi-square test p-value of a categorical feature below this is drift (with enough rows). */
    chi_square_p_threshold: z.coerce.number().positive().max(1).default(0.001),
    /** A feature whose null rate rises by more than this over training is a data-quality finding. */
    null_rate_increase_threshold: z.coerce.number().min(0).max(1).default(0.1),
    /** Share of values outside the training range or the views' expectations that is a finding. */
    out_of_range_threshold: z.coerce.number().min(0).max(1).default(0.05),
    /** Share of categorical values never seen in training that is a finding. */
    unseen_category_threshold: z.coerce.number().min(0).max(1).default(0.05),
    /** Live AUC below this alerts (0 turns it off). */
    min_auc: z.coerce.number().min(0).max(1).default(0),
    /** Live accuracy below this alerts (0 turns it off). */
    min_accuracy: z.coerce.number().min(0).max(1).default(0),
    /** Live RMSE above this alerts (0 turns it off). */
    max_rmse: z.coerce.number().min(0).default(0),
    /** Fewer logged rows than this in the window: drift is not judged (too little to say). */
    min_rows: z.coerce.number().int().min(1).default(100),
  }).prefault({}),
});

export type CairnConfig = z.infer<typeof configSchema> & { projectDir: string; configFile: string | null };

/** Keys whose values are secrets: never recorded, logged or shown (see {@link redactConfig}). */
export const SECRET_CONFIG_KEYS = ['registry.webhook_secret_key'] as const;

/** A copy of the config with every secret value that is set replaced by `***`. */
export function redactConfig(config: CairnConfig): CairnConfig {
  const copy = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  for (const key of SECRET_CONFIG_KEYS) {
    const [section, leaf] = key.split('.') as [string, string];
    if (copy[section]?.[leaf]) copy[section][leaf] = '***';
  }
  return copy as unknown as CairnConfig;
}

/** Every leaf key and the environment variable that overrides it (`store.uri` → `CAIRN_STORE_URI`). */
function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | string> = {};
  for (const [section, schema] of Object.entries(configSchema.shape)) {
    const inner = unwrapObject(schema);
    if (!inner) {
      const v = env[`CAIRN_${section.toUpperCase()}`];
      if (v !== undefined && v !== '') out[section] = v;
      continue;
    }
    const found = nestedOverrides(env, `CAIRN_${section.toUpperCase()}`, inner);
    if (found) out[section] = found;
  }
  return out;
}

// Nested sections follow the same rule one level down: `features.online_store.uri` → CAIRN_FEATURES_ONLINE_STORE_URI.
function nestedOverrides(env: NodeJS.ProcessEnv, prefix: string, schema: z.ZodObject): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  for (const [key, child] of Object.entries(schema.shape)) {
    const name = `${prefix}_${key.toUpperCase()}`;
    const inner = unwrapObject(child as z.ZodType);
    const v = inner ? nestedOverrides(env, name, inner) : env[name];
    // An empty variable counts as unset (CI systems set a missing secret to '').
    if (v !== undefined && v !== null && v !== '') (out ??= {})[key] = v;
  }
  return out;
}

function unwrapObject(schema: z.ZodType): z.ZodObject | null {
  let s: z.ZodType = schema;
  for (let i = 0; i < 4; i++) {
    if (s instanceof z.ZodObject) return s;
    const def = (s as unknown as { def: { innerType?: z.ZodType } }).def;
    if (!def.innerType) return null;
    s = def.innerType;
  }
  return null;
}

export interface LoadConfigOptions {
  /** Folder to look for `cairn.yaml` in; defaults to the current directory. */
  cwd?: string;
  /** Explicit config file (`--config`). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (CLI flags). */
  overrides?: Record<string, unknown>;
}

/** Finds `cairn.yaml` in `cwd` or its parents, parses it strictly and applies `CAIRN_*` overrides. */
export function loadConfig(options: LoadConfigOptions = {}): CairnConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = options.file ? resolve(cwd, options.file) : findConfigFile(cwd);
  let fromFile: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new CairnError('INVALID_ARGUMENT', `Config file ${file} does not exist.`);
    let parsed: unknown;
    try {
      // The yaml package's default core schema never constructs custom types: safe to parse.
      parsed = parseYaml(readFileSync(file, 'utf8'), { schema: 'core' });
    } catch (e) {
      throw new CairnError('INVALID_ARGUMENT', `${file} is not valid YAML: ${(e as Error).message}`, { cause: e });
    }
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new CairnError('INVALID_ARGUMENT', `${file} must hold a mapping of settings (see docs/configuration.md).`);
    }
    fromFile = (parsed ?? {}) as Record<string, unknown>;
  }
  const overrides = options.overrides ?? {};
  const merged = deepMerge(deepMerge(fromFile, envOverrides(env)), overrides);
  const result = configSchema.safeParse(merged);
  if (!result.success) throw configError(result.error.issues[0]!, { file, fromFile, env, overrides });
  const projectDir = file ? dirname(file) : cwd;
  return { ...result.data, projectDir, configFile: file };
}

/** One settable key: its dotted name and the environment variable that overrides it. */
export interface ConfigKey {
  key: string;
  env: string;
}

/**
 * Every leaf key of the config with its environment variable, in schema order.
 *
 * @example
 * ```ts
 * configKeys().find((k) => k.key === 'store.uri'); // { key: 'store.uri', env: 'CAIRN_STORE_URI' }
 * ```
 */
export function configKeys(): ConfigKey[] {
  const walk = (schema: z.ZodObject, path: string[]): ConfigKey[] =>
    Object.entries(schema.shape).flatMap(([key, child]) => {
      const inner = unwrapObject(child as z.ZodType);
      return inner ? walk(inner, [...path, key]) : [{ key: [...path, key].join('.'), env: envName([...path, key]) }];
    });
  return walk(configSchema, []);
}

const envName = (path: readonly PropertyKey[]): string => `CAIRN_${path.map((p) => String(p).toUpperCase()).join('_')}`;

/** The object schema at `path` (the root for `[]`), or null when the path leads elsewhere. */
function sectionAt(path: readonly PropertyKey[]): z.ZodObject | null {
  let schema: z.ZodObject | null = configSchema;
  for (const p of path) {
    const child: z.ZodType | undefined = schema && Object.hasOwn(schema.shape, String(p)) ? (schema.shape as Record<string, z.ZodType>)[String(p)] : undefined;
    schema = child ? unwrapObject(child) : null;
  }
  return schema;
}

function valueAt(tree: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let v: unknown = tree;
  for (const p of path) v = isPlainObject(v) && Object.hasOwn(v, String(p)) ? v[String(p)] : undefined;
  return v;
}

interface ConfigSources {
  file: string | null;
  fromFile: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  overrides: Record<string, unknown>;
}

// Says which key is wrong, where the value came from (the file, its environment variable or a
// command-line flag) and what to do. Values are not repeated: they may be secrets.
function configError(issue: z.core.$ZodIssue, sources: ConfigSources): CairnError {
  const key = issue.path.join('.');
  const inFile = sources.file ? ` in ${sources.file}` : '';
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `'${key ? `${key}.` : ''}${k}'`).join(', ');
    const valid = Object.keys(sectionAt(issue.path)?.shape ?? {}).join(', ');
    const s = issue.keys.length > 1;
    return new CairnError(
      'INVALID_ARGUMENT',
      `Invalid configuration. Unknown key${s ? 's' : ''} ${names}${inFile}. Remove ${s ? 'them' : 'it'} or fix the spelling; valid keys${key ? ` under '${key}'` : ''} are ${valid} (see docs/configuration.md).`,
    );
  }
  const leaf = sectionAt(issue.path) === null && issue.path.length > 0;
  const variable = leaf ? envName(issue.path) : null;
  let origin: string;
  let fix: string;
  if (valueAt(sources.overrides, issue.path) !== undefined) {
    [origin, fix] = [' (given on the command line)', 'Fix the flag'];
  } else if (variable && sources.env[variable]) {
    [origin, fix] = [` (from the environment variable ${variable})`, `Fix ${variable}, or unset it to use ${sources.file ?? 'the default'}`];
  } else if (sources.file && valueAt(sources.fromFile, issue.path) !== undefined) {
    [origin, fix] = [inFile, `Fix it there${variable ? ` (or override it with ${variable})` : ''}`];
  } else {
    [origin, fix] = [inFile, 'Fix it'];
  }
  return new CairnError('INVALID_ARGUMENT', `Invalid configuration. Bad value for '${key}'${origin}: ${issue.message}. ${fix}; see docs/configuration.md.`);
}

function findConfigFile(start: string): string | null {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'cairn.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves a config path relative to the project folder. */
export function projectPath(config: CairnConfig, p: string): string {
  return isAbsolute(p) ? p : join(config.projectDir, p);
}
