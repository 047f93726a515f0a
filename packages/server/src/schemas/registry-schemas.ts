import { z } from 'zod';
import { nextPageToken, queryInt, repeatable, stringMap, urlText } from './common.js';

// Request and response shapes of the registry's /api/v1 routes. Field names are those of the core
// registry entities (camelCase); the service does the real validation and names the field.

export const modelParams = z.strictObject({ name: urlText.describe('The registered model name (percent-encoded).') });
export const versionParams = z.strictObject({ name: urlText, version: urlText.describe('A version number.') });
export const aliasParams = z.strictObject({ name: urlText, alias: urlText.describe('An alias such as champion.') });
export const webhookParams = z.strictObject({ webhookId: urlText });

const versionNumber = z.union([z.number().int(), z.string()]).transform(String).describe('A version number.');
const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const searchQuery = z.strictObject({
  filter: urlText.optional().describe("e.g. name LIKE 'churn%' and tags.team = 'risk'"),
  orderBy: repeatable.optional(),
  maxResults: queryInt(1, 200_000).optional(),
  pageToken: urlText.optional(),
});

export const overrideQuery = z.strictObject({
  force: boolQuery.optional().describe('Admins only: override a protected alias.'),
  reason: urlText.optional().describe('Why; kept in the audit log. Required with force.'),
});

export const createModelBody = z.strictObject({ name: z.string(), description: z.string().nullish(), tags: stringMap.optional() });
export const updateModelBody = z.strictObject({ newName: z.string().optional(), description: z.string().nullish() });
export const tagBody = z.strictObject({ key: z.string(), value: z.string() });

const signatureField = z.object({ name: z.string().optional(), type: z.string(), required: z.boolean().optional(), dtype: z.string().optional(), shape: z.array(z.number()).optional() });
const signatureSchema = z.object({ inputs: z.array(signatureField), outputs: z.array(signatureField) }).describe('Signature');

export const createVersionBody = z.strictObject({
  source: z.string().nullish().describe("runs:/<run id>/<path>, a Cairn artifact URI inside a run's artifacts, models:/NAME/N; omit to upload files."),
  runId: z.string().nullish(),
  description: z.string().nullish(),
  tags: stringMap.optional(),
  signature: z.unknown().optional().describe('{ inputs: [{ name, type }], outputs: [...] }'),
  inputExample: z.unknown().optional(),
  format: z.string().nullish().describe('onnx, cairn-json, safetensors, sklearn-pickle, pytorch, mlflow-pyfunc or other; detected when omitted.'),
});
export const updateVersionBody = z.strictObject({ description: z.string().nullish() });

export const setAliasBody = z.strictObject({ version: versionNumber, force: z.boolean().optional(), reason: z.string().optional() });
export const promoteBody = z.strictObject({ version: versionNumber, reason: z.string().optional() });
export const evaluateBody = z.strictObject({ version: versionNumber });
export const aliasHistoryQuery = z.strictObject({
  at: urlText.optional().describe('Epoch milliseconds or an ISO 8601 time: which version held the alias then.'),
  maxResults: queryInt(1, 1000).optional(),
});
export const gateBody = z.strictObject({
  conditions: z.array(z.string()).describe("e.g. ['metrics.auc >= 0.85', 'metrics.auc >= champion.metrics.auc + 0.005']"),
  requireSignatureCompatible: z.boolean().optional(),
  protected: z.boolean().optional(),
});

export const auditQuery = z.strictObject({
  version: urlText.optional(),
  alias: urlText.optional(),
  action: urlText.optional().describe('An action such as alias.moved, or a prefix such as promotion.*'),
  since: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  until: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  maxResults: queryInt(1, 1000).optional(),
  pageToken: urlText.optional(),
});
export const filePathQuery = z.strictObject({ path: urlText.describe("A file of the version, e.g. 'model.onnx'.") });
export const resolveQuery = z.strictObject({ uri: urlText.describe('models:/NAME/3, models:/NAME@alias, NAME@alias, NAME/latest') });

export const createWebhookBody = z.strictObject({
  url: z.string(),
  events: z.array(z.string()).optional(),
  model: z.string().nullish(),
  description: z.string().nullish(),
});
export const deliveriesQuery = z.strictObject({ maxResults: queryInt(1, 1000).optional() });

// Responses (documentation; handlers return the core entities).
const alias = z.object({ alias: z.string(), version: z.number() });
export const versionSchema = z.object({
  name: z.string(), version: z.number(), creationTime: z.number(), lastUpdatedTime: z.number(), userId: z.string().nullable(),
  description: z.string().nullable(), source: z.string(), runId: z.string().nullable(),
  status: z.enum(['PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION']), statusMessage: z.string().nullable(),
  stage: z.string(), tags: stringMap, aliases: z.array(z.string()), format: z.string(), unsafe: z.boolean(),
  signature: signatureSchema.nullable(), inputExample: z.unknown(), size: z.number().nullable(), digest: z.string().nullable(),
  fileCount: z.number().nullable(), storagePath: z.string(),
  externalUri: z.string().nullable().describe('Set for an external version: where its files are (Cairn holds none and never fetches them).'),
}).describe('ModelVersion');
export const modelSchema = z.object({
  name: z.string(), description: z.string().nullable(), creationTime: z.number(), lastUpdatedTime: z.number(),
  tags: stringMap, aliases: z.array(alias), latestVersions: z.array(versionSchema),
}).describe('RegisteredModel');
export const modelBody = z.object({ model: modelSchema });
export const modelListBody = z.object({ models: z.array(modelSchema), nextPageToken });
export const versionBody = z.object({ version: versionSchema });
export const versionListBody = z.object({ versions: z.array(versionSchema), nextPageToken });
export const fileSchema = z.object({ path: z.string(), size: z.number(), sha256: z.string() });
export const fileListBody = z.object({ files: z.array(fileSchema) });
const conditionSchema = z.object({ expression: z.string(), passed: z.boolean(), values: z.record(z.string(), z.unknown()), note: z.string().nullable() });
export const promotionBody = z.object({
  promotion: z.object({
    model: z.string(), alias: z.string(), candidate: z.number(), current: z.number().nullable(), passed: z.boolean(), gated: z.boolean(), moved: z.boolean().optional(),
    conditions: z.array(conditionSchema), signature: z.object({ required: z.boolean(), compatible: z.boolean(), problems: z.array(z.string()) }).nullable(), evaluatedTime: z.number(),
  }).describe('Promotion'),
});
export const gateSchema = z.object({ model: z.string(), alias: z.string(), conditions: z.array(z.string()), requireSignatureCompatible: z.boolean(), protected: z.boolean(), updatedTime: z.number(), updatedBy: z.string() }).describe('GatePolicy');
export const eventSchema = z.object({
  id: z.number(), time: z.number(), actor: z.string(), action: z.string(), model: z.string(), version: z.number().nullable(),
  alias: z.string().nullable(), key: z.string().nullable(), before: z.unknown(), after: z.unknown(), reason: z.string().nullable(),
}).describe('AuditEvent');
export const eventListBody = z.object({ events: z.array(eventSchema), nextPageToken });
export const aliasHistoryBody = z.object({
  at: z.object({ time: z.number(), version: z.number().nullable(), event: eventSchema.nullable() }).nullable(),
  events: z.array(eventSchema),
});
export const webhookSchema = z.object({ id: z.string(), url: z.string(), events: z.array(z.string()), model: z.string().nullable(), description: z.string().nullable(), active: z.boolean(), createdTime: z.number() }).describe('Webhook');
export const deliverySchema = z.object({
  id: z.string(), webhookId: z.string(), eventId: z.number(), action: z.string(), status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.array(z.object({ attempt: z.number(), time: z.number(), statusCode: z.number().nullable(), error: z.string().nullable(), durationMs: z.number() })),
  nextAttemptTime: z.number().nullable(), createdTime: z.number(),
}).describe('WebhookDelivery');
export const lineageBody = z.object({
  lineage: z.object({
    model: z.string(), version: z.number(), source: z.string(), digest: z.string().nullable(),
    run: z.object({ runId: z.string(), runName: z.string(), experimentId: z.string(), experimentName: z.string().nullable(), status: z.string(), startTime: z.number(), userId: z.string() }).nullable(),
    missingRunId: z.string().nullable(), externalUri: z.string().nullable(),
    code: z.object({ gitCommit: z.string().nullable(), gitDirty: z.boolean().nullable(), entryPoint: z.string().nullable() }).nullable(),
    datasets: z.array(z.object({ name: z.string(), digest: z.string(), sourceType: z.string(), source: z.string(), context: z.string().nullable() })),
    pipelineRun: z.object({ runId: z.string(), pipeline: z.string(), step: z.string().nullable(), status: z.string() }).nullable(),
    featureService: z.object({ name: z.string(), trainingDataset: z.string(), registryVersion: z.number() }).nullable(),
  }).describe('Lineage'),
});
