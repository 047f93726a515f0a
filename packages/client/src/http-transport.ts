import { CairnError, ERROR_CODES, type ErrorCode } from '@cairn/core/errors';

export type FetchLike = typeof globalThis.fetch;
/** A request body as fetch takes it. */
export type RequestBody = NonNullable<RequestInit['body']>;
export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  json?: unknown;
  /** A raw body (artifact upload); sent as application/octet-stream. */
  body?: RequestBody;
  headers?: Record<string, string>;
  /** Cancels the request. */
  signal?: AbortSignal;
}

// Used when a response carries no Cairn error body (a proxy's 502, say): the closest stable code.
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 413 || status === 429) return 'RESOURCE_EXHAUSTED';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  if (status >= 500) return 'INTERNAL';
  return 'INVALID_ARGUMENT';
}

/**
 * Sends requests to one Cairn server and turns error responses into `CairnError`s with the server's
 * code. Node's global fetch (undici) keeps connections alive between calls, so batches reuse sockets.
 */
export class HttpTransport {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly token: string | undefined, private readonly fetchImpl: FetchLike) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new CairnError('INVALID_ARGUMENT', `'${baseUrl}' is not a URL. Give the server address, e.g. http://127.0.0.1:5050.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CairnError('INVALID_ARGUMENT', `'${baseUrl}' is not an http(s) URL. Give the server address, e.g. http://127.0.0.1:5050.`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) params.append(k, item);
      else params.append(k, String(v));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends a request and returns the successful response; every failure becomes a CairnError. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: RequestBody | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (body !== undefined) {
      headers['content-type'] ??= 'application/octet-stream';
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body, signal: options.signal };
    // A streamed request body must be declared half-duplex for undici.
    if (body instanceof ReadableStream) init.duplex = 'half';
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, options.query), init);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      const reason = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new CairnError('UNAVAILABLE', `Cannot reach the Cairn server at ${this.baseUrl} (${reason}). Start it with \`cairn server\` or check the tracking URI.`, { cause: e });
    }
    if (!res.ok) throw await this.decodeError(method, path, res);
    return res;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    const text = await res.text();
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new CairnError('INTERNAL', `The server answered ${method} ${path} with a body that is not JSON: ${text.slice(0, 200)}`, { cause: e });
    }
  }

  private async decodeError(method: string, path: string, res: Response): Promise<CairnError> {
    const text = await res.text().catch(() => '');
    let body: { error_code?: unknown; message?: unknown; details?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not JSON: fall back to the status line and a short excerpt below.
    }
    const known = typeof body.error_code === 'string' && (ERROR_CODES as readonly string[]).includes(body.error_code);
    const code = known ? (body.error_code as ErrorCode) : codeForStatus(res.status);
    const message = typeof body.message === 'string' && body.message
      ? body.message
      : `${method} ${path} failed with HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
    const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : undefined;
    return new CairnError(code, message, { details: { ...details, httpStatus: res.status } });
  }
}
