import { isCairnError, type ErrorCode } from '@cairn/core';
import { redactUrl } from '../request-log.js';
import { MLFLOW_LIMITS } from './limits.js';

/** An error as MLflow's REST API reports it: the body `{error_code, message}` and an HTTP status. */
export interface MlflowErrorReply {
  status: number;
  body: { error_code: string; message: string };
}

/**
 * Cairn's error codes as MLflow's (`databricks.proto` names) and the status MLflow's server sends
 * for each (`ERROR_CODE_TO_HTTP_STATUS`). Two deliberate differences, because MLflow's Python client
 * retries 429 and 5xx with backoff and neither error heals by retrying:
 * - FAILED_PRECONDITION (e.g. logging to a deleted run) is INVALID_STATE with 400, not MLflow's 500.
 * - RESOURCE_EXHAUSTED (an upload over the size limit) is 413, not MLflow's 429.
 */
export const MLFLOW_ERROR_CODES: Record<ErrorCode, { errorCode: string; status: number }> = {
  NOT_FOUND: { errorCode: 'RESOURCE_DOES_NOT_EXIST', status: 404 },
  ALREADY_EXISTS: { errorCode: 'RESOURCE_ALREADY_EXISTS', status: 400 },
  INVALID_ARGUMENT: { errorCode: 'INVALID_PARAMETER_VALUE', status: 400 },
  FAILED_PRECONDITION: { errorCode: 'INVALID_STATE', status: 400 },
  CONFLICT: { errorCode: 'RESOURCE_CONFLICT', status: 409 },
  PERMISSION_DENIED: { errorCode: 'PERMISSION_DENIED', status: 403 },
  UNAUTHENTICATED: { errorCode: 'UNAUTHENTICATED', status: 401 },
  RESOURCE_EXHAUSTED: { errorCode: 'RESOURCE_EXHAUSTED', status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { errorCode: 'BAD_REQUEST', status: 415 },
  UNAVAILABLE: { errorCode: 'TEMPORARILY_UNAVAILABLE', status: 503 },
  INTERNAL: { errorCode: 'INTERNAL_ERROR', status: 500 },
};

const reply = (status: number, errorCode: string, message: string): MlflowErrorReply => ({ status, body: { error_code: errorCode, message } });

export function endpointNotFound(method: string, url: string): MlflowErrorReply {
  const path = redactUrl(url.split('?')[0] ?? url);
  return reply(404, 'ENDPOINT_NOT_FOUND', `No MLflow endpoint ${method} ${path} on this Cairn server. docs/mlflow.md lists the supported endpoints.`);
}

/** Fastify's own request errors (body parsing, limits) in MLflow's terms. */
function fromFastify(error: { code?: string; statusCode?: number; message: string }): MlflowErrorReply | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply(400, 'INVALID_PARAMETER_VALUE', `The request body is larger than ${MLFLOW_LIMITS.bodyBytes} bytes, the limit of MLflow's API. Send the data in smaller requests.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply(400, 'BAD_REQUEST', `Send the request body as JSON with 'Content-Type: application/json'.`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return reply(400, 'BAD_REQUEST', 'The Content-Length header does not match the body.');
  }
  // Fastify marks the errors of request parsing (bad JSON included) with their 4xx status.
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    if (status === 404) return reply(404, 'ENDPOINT_NOT_FOUND', error.message);
    const message = error instanceof SyntaxError ? `The request body is not valid JSON: ${error.message}` : error.message;
    return reply(status, 'BAD_REQUEST', message);
  }
  return null;
}

type Details = Record<string, unknown>;

/**
 * MLflow's own wording for errors about an entity (its SQL stores, MLflow 2.9.2), keyed by Cairn's
 * code and the `details.entity` the core puts on the error. Clients, scripts and MLflow's tests match
 * on these texts, so MLflow's routes say it MLflow's way first and Cairn's message follows.
 */
const MLFLOW_TEXTS: Partial<Record<ErrorCode, Record<string, (d: Details) => string>>> = {
  NOT_FOUND: {
    run: (d) => `Run with id=${String(d.id)} not found`,
    experiment: (d) => `No Experiment with id=${String(d.id)} exists`,
    run_tag: (d) => `No tag with name: ${String(d.key)} in run with id ${String(d.id)}`,
    registered_model: (d) => `Registered Model with name=${String(d.name)} not found`,
    model_version: (d) => `Model Version (name=${String(d.name)}, version=${String(d.version)}) not found`,
  },
  ALREADY_EXISTS: {
    experiment: (d) => `Experiment(name=${String(d.name)}) already exists`,
    registered_model: (d) => `Registered Model (name=${String(d.name)}) already exists`,
  },
  INVALID_ARGUMENT: {
    model_version_source: (d) => {
      const head = `Invalid model version source: '${String(d.source)}'.`;
      switch (d.refusal) {
        case 'local':
          return `${head} To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id. Cairn takes no local path as a source, with or without run_id`;
        case 'file':
          return `${head} MLflow tracking server doesn't allow using a file URI as a model version source for security reasons. Cairn has no setting that allows it`;
        case 'relative':
          return `${head} If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path`;
        default:
          return '';
      }
    },
  },
  FAILED_PRECONDITION: {
    run: (d) => `The run ${String(d.id)} must be in the 'active' state. Current state is ${String(d.lifecycleStage)}`,
  },
};

/** The message an MLflow client sees: MLflow's text when there is one, then Cairn's. */
export function mlflowMessage(error: { code: ErrorCode; message: string; details?: Details }): string {
  const entity = error.details?.entity;
  const text = typeof entity === 'string' ? MLFLOW_TEXTS[error.code]?.[entity]?.(error.details!) : undefined;
  return text ? `${text}. ${error.message}` : error.message;
}

/**
 * Maps anything a route throws to MLflow's error body. CairnErrors keep their message, after
 * MLflow's wording where it has one; unexpected errors become INTERNAL_ERROR with a generic message
 * (the caller logs the original).
 */
export function toMlflowError(error: unknown): MlflowErrorReply {
  if (isCairnError(error)) {
    const { errorCode, status } = MLFLOW_ERROR_CODES[error.code];
    return reply(status, errorCode, mlflowMessage(error));
  }
  if (error instanceof Error) {
    const fastify = fromFastify(error as Error & { code?: string; statusCode?: number });
    if (fastify) return fastify;
  }
  return reply(500, 'INTERNAL_ERROR', 'The server failed to handle this request. The server log has the details.');
}
