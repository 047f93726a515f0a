// Domain entities of the model registry. Stores map rows to these; nothing above a store sees a column.
import type { Tags } from '../tracking/entities.js';

export const VERSION_STATUSES = ['PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION'] as const;
export type ModelVersionStatus = (typeof VERSION_STATUSES)[number];

/** MLflow's deprecated stages, kept for MLflow clients only; aliases replace them. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * How a model's files are stored. `unsafe` formats run code when loaded (pickle and the like); Cairn
 * never loads any model, and the CLI and SDK warn before handing an unsafe one out.
 */
export const MODEL_FORMATS = {
  onnx: { unsafe: false },
  'cairn-json': { unsafe: false },
  safetensors: { unsafe: false },
  'sklearn-pickle': { unsafe: true },
  pytorch: { unsafe: true },
  'mlflow-pyfunc': { unsafe: true },
  // Unknown content is treated as unsafe: nothing says loading it cannot run code.
  other: { unsafe: true },
} as const;
export type ModelFormat = keyof typeof MODEL_FORMATS;

export const COLUMN_TYPES = ['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One named input or output: a typed column, or a tensor with a dtype and a shape (-1 = any size). */
export type SignatureField =
  | { name?: string; type: ColumnType; required?: boolean }
  | { name?: string; type: 'tensor'; dtype: string; shape: number[] };

/** The typed interface of a model: what it takes and what it returns. */
export interface Signature {
  inputs: SignatureField[];
  outputs: SignatureField[];
}

/** One stored file of a version, with its sha256 (lowercase hex). */
export interface ModelFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ModelAlias {
  alias: string;
  version: number;
}

export interface RegisteredModel {
  name: string;
  description: string | null;
  creationTime: number;
  lastUpdatedTime: number;
  tags: Tags;
  /** Every alias of the model, sorted by name. */
  aliases: ModelAlias[];
  /** For MLflow clients: the newest READY version per stage. */
  latestVersions: ModelVersion[];
}

export interface ModelVersion {
  name: string;
  version: number;
  creationTime: number;
  lastUpdatedTime: number;
  userId: string | null;
  description: string | null;
  /** The source as given (normalized): `runs:/…`, `cairn-artifacts:/…`, `models:/…` or `upload`. */
  source: string;
  runId: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  stage: Stage;
  tags: Tags;
  aliases: string[];
  format: ModelFormat;
  /** True when loading the format runs code (pickle and the like). */
  unsafe: boolean;
  signature: Signature | null;
  /** A JSON value, as given at registration. */
  inputExample: unknown;
  /** Total bytes of the version's files; null until READY. */
  size: number | null;
  /** `sha256:<hex>` over the sorted file list with each file's sha256; null until READY. */
  digest: string | null;
  fileCount: number | null;
  /** Where the files live, relative to the artifact root (empty for an external version). */
  storagePath: string;
  /**
   * Set for an external version: where its files are (`s3://…`, `runs:/<id>/…` of a run on another
   * server…). Cairn records the pointer and never fetches, opens or follows it; clients do.
   */
  externalUri: string | null;
}

/** Who did something: a token name over HTTP, the OS user in-process. `role` decides overrides. */
export interface Actor {
  name: string;
  role: 'reader' | 'editor' | 'admin';
}

export interface AuditEvent {
  id: number;
  time: number;
  actor: string;
  /** e.g. `version.created`, `alias.moved`, `promotion.failed` (see docs/registry.md). */
  action: string;
  model: string;
  version: number | null;
  alias: string | null;
  key: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export interface GatePolicy {
  model: string;
  alias: string;
  /** Each a gate expression, e.g. `metrics.auc >= champion.metrics.auc + 0.005`. */
  conditions: string[];
  /** The candidate's signature must be compatible with the current holder's. */
  requireSignatureCompatible: boolean;
  /** The alias moves only through its gate (or by an admin with a recorded reason). */
  protected: boolean;
  updatedTime: number;
  updatedBy: string;
}

export interface ConditionResult {
  expression: string;
  passed: boolean;
  /** The actual value of every reference in the expression (`null` when missing). */
  values: Record<string, number | string | null>;
  /** Why it failed or was skipped, in words. */
  note: string | null;
}

export interface GateEvaluation {
  model: string;
  alias: string;
  candidate: number;
  /** The version holding the alias when evaluated. */
  current: number | null;
  passed: boolean;
  gated: boolean;
  conditions: ConditionResult[];
  signature: { required: boolean; compatible: boolean; problems: string[] } | null;
  evaluatedTime: number;
}

export interface Promotion extends GateEvaluation {
  /** Whether the alias now points at the candidate. */
  moved: boolean;
}

export interface Webhook {
  id: string;
  url: string;
  /** Event patterns: `version.created`, `alias.moved`, `*.tag.set`, `promotion.*`, `*`. */
  events: string[];
  /** Only events of this model, or every model when null. */
  model: string | null;
  description: string | null;
  active: boolean;
  createdTime: number;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: number;
  action: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: WebhookAttempt[];
  nextAttemptTime: number | null;
  createdTime: number;
}

export interface WebhookAttempt {
  attempt: number;
  time: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** How a version came to be: run, data, code, and (when present) pipeline and feature service. */
export interface Lineage {
  model: string;
  version: number;
  source: string;
  digest: string | null;
  run: { runId: string; runName: string; experimentId: string; experimentName: string | null; status: string; startTime: number; userId: string } | null;
  /** The run the version names when that run is not on this server (registered from another tracking server): a dangling link. */
  missingRunId: string | null;
  /** Set for an external version: where its files are; Cairn holds none. */
  externalUri: string | null;
  code: { gitCommit: string | null; gitDirty: boolean | null; entryPoint: string | null } | null;
  datasets: Array<{ name: string; digest: string; sourceType: string; source: string; context: string | null }>;
  pipelineRun: { runId: string; pipeline: string; step: string | null; status: string } | null;
  featureService: { name: string; trainingDataset: string; registryVersion: number } | null;
}

export interface ResolvedModel {
  name: string;
  version: number;
  /** The alias the reference named, if any. */
  alias: string | null;
}
