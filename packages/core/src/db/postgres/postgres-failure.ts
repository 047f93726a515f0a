import { CairnError } from '../../errors.js';

// Socket errors that mean the server is away or the path to it broke.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ENOENT']);
// pg's own words for a lost or unobtainable connection (it gives them no code).
const DRIVER_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /not queryable/, /^Cannot use a pool after calling end/, /^timeout expired/];

/**
 * Whether a PostgreSQL or driver error means the database cannot be reached or stopped answering,
 * as opposed to a problem with the statement: SQLSTATE class 08 (connection exception), 57P01-03
 * (the server is shutting down or starting), 53300 (too many connections), and socket errors.
 */
export function isConnectionFailure(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  if (NETWORK_CODES.has(code)) return true;
  const message = typeof err?.message === 'string' ? err.message : '';
  return DRIVER_MESSAGES.some((re) => re.test(message));
}

/** Whether PostgreSQL cancelled the statement (statement_timeout, or a cancel request). */
export const isQueryCanceled = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === '57014';

const RETRY = 'Retry in a moment: Cairn reconnects as soon as the database answers again.';

/** The database is unreachable: what the caller sees (503 over HTTP, exit code 3 in the CLI). */
export function databaseUnavailable(where: string, e: unknown): CairnError {
  const reason = describeCause(e);
  return new CairnError('UNAVAILABLE', `The metadata database (PostgreSQL at ${where}) is unavailable: ${reason}. ${RETRY} If it persists, check that PostgreSQL is up and that store.uri (CAIRN_STORE_URI) names it.`, { cause: e });
}

/** A statement ran past the statement timeout, or PostgreSQL did not answer within it. */
export function statementTimedOut(where: string, timeoutMs: number, e: unknown): CairnError {
  return new CairnError(
    'UNAVAILABLE',
    `The metadata database (PostgreSQL at ${where}) did not finish the query within ${timeoutMs} ms, so it was cancelled. Narrow the request (a more selective filter, fewer results per page) or retry later; store.statement_timeout_ms (CAIRN_STORE_STATEMENT_TIMEOUT_MS) sets the limit.`,
    { cause: e },
  );
}

/** Every pooled connection stayed busy for the whole acquire timeout. */
export function poolExhausted(where: string, max: number, timeoutMs: number, e: unknown): CairnError {
  return new CairnError(
    'UNAVAILABLE',
    `The metadata database (PostgreSQL at ${where}) had no free connection within ${timeoutMs} ms (all ${max} busy or connecting). Retry in a moment; store.max_connections and store.connect_timeout_ms set the pool.`,
    { cause: e },
  );
}

/** The request that ran the query went away (the client disconnected), so the query was cancelled. */
export const queryAbandoned = (e?: unknown): CairnError =>
  new CairnError('UNAVAILABLE', 'The query was cancelled because the request that sent it ended (the client disconnected).', e === undefined ? undefined : { cause: e });

function describeCause(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  // Node reports a refused connection to a name with several addresses as an AggregateError without a message.
  const message = typeof err?.message === 'string' && err.message ? err.message : code || String(e);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
