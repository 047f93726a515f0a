/** Stable error codes shared by every Cairn surface (HTTP, CLI, SDK). */
export const ERROR_CODES = [
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'CONFLICT',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'RESOURCE_EXHAUSTED',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The one error class of the platform. `code` is stable and is what callers branch on; `message`
 * says what went wrong and what to do next.
 *
 * @example
 * ```ts
 * throw new CairnError('NOT_FOUND', `Experiment '${name}' does not exist. List them with 'cairn experiments list'.`);
 * ```
 */
export class CairnError extends Error {
  override readonly name = 'CairnError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

export function isCairnError(e: unknown, code?: ErrorCode): e is CairnError {
  return e instanceof CairnError && (code === undefined || e.code === code);
}

/**
 * `details.entity` (with the entity's id or name) names what was missing, so a surface that must word
 * the error its own way (MLflow's routes) can, without parsing the message.
 */
export const notFound = (what: string, hint = '', details?: Record<string, unknown>): CairnError =>
  new CairnError('NOT_FOUND', `${what} does not exist.${hint ? ` ${hint}` : ''}`, { details });

export const invalid = (message: string, details?: Record<string, unknown>): CairnError =>
  new CairnError('INVALID_ARGUMENT', message, { details });
