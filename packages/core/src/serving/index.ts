// Serving: load a registered model (onnx, cairn-json, or an unsafe format in a Python worker), score
// MLflow scoring-protocol requests with online feature lookup, follow an alias, log what was scored.
export type { Frame } from './frame.js';
export { parseScoringJson } from './scoring-protocol.js';
export { parseCsv } from './csv.js';
export { checkFrame } from './signature-check.js';
export type { ModelRuntime, RuntimeOptions } from './model-runtime.js';
export { checkServable, openRuntime, SERVABLE_FORMATS, UNSAFE_SERVABLE_FORMATS } from './load-model.js';
export { ModelServer, type ModelServerOptions, type ModelServerHealth, type PredictOptions, type PredictResult } from './model-server.js';
export type { ServedModelInfo } from './served-model.js';
export { parseModelTarget, type ModelTarget } from './model-source.js';
export { InferenceLogger, type InferenceLoggerOptions, type InferenceLoggerStats } from './inference-log/inference-logger.js';
export { InferenceSpool } from './inference-log/inference-spool.js';
export type { InferenceLogStore } from './inference-log/inference-log-store.js';
export { entityText, type InferenceRecord, type InferenceLabel, type LoggedRows, type InferenceLogQuery } from './inference-log/entities.js';
export { INFERENCE_LOG_PREFIX } from './inference-log/parquet/parquet-inference-log-store.js';
