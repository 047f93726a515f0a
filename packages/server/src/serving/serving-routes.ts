import { CairnError, parseCsv, parseScoringJson, type ModelServer, type MonitorService } from '@cairn/core';
import { VERSION } from '../version.js';
import type { CairnRouter } from '../router.js';

export interface ServingRouteOptions {
  maxRows: number;
}

/** A yes/no query flag: absent or false/0 is no; true/1 or the bare flag is yes; anything else is refused. */
function flag(name: string, v: unknown): boolean {
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1' || v === '') return true;
  throw new CairnError('INVALID_ARGUMENT', `Query parameter '${name}' must be true or false (got ${JSON.stringify(v)}).`);
}

/**
 * The media type of a scoring request, refused (415) as `mlflow models serve` refuses it: a type
 * other than JSON or CSV, a charset other than UTF-8, or any other parameter, such as MLflow 1.x's
 * `format=pandas-split`, whose body shape the 2.0 protocol names inside the body instead. Checked
 * before the body is read.
 */
export function scoringContentType(header: string | undefined): 'application/json' | 'text/csv' {
  const [mime = '', ...params] = String(header ?? '').split(';').map((p) => p.trim());
  const type = mime.toLowerCase();
  if (type !== 'application/json' && type !== 'text/csv') {
    throw new CairnError('UNSUPPORTED_MEDIA_TYPE', `Content-Type '${mime || '(none)'}' is not accepted: send application/json (MLflow's scoring protocol) or text/csv.`);
  }
  for (const param of params) {
    if (!param) continue;
    const [key = '', value = ''] = param.split('=', 2).map((x) => x.trim().toLowerCase().replace(/^"(.*)"$/, '$1'));
    if (key === 'charset' && (value === 'utf-8' || value === 'utf8')) continue;
    if (key === 'charset') throw new CairnError('UNSUPPORTED_MEDIA_TYPE', `Charset '${value}' is not accepted: send the body as UTF-8 (charset=utf-8).`);
    if (key === 'format') {
      throw new CairnError('UNSUPPORTED_MEDIA_TYPE', `Content-Type parameter 'format' is MLflow 1.x's scoring protocol; since MLflow 2.0 the body names its shape: send Content-Type application/json and wrap a pandas-split body as {"dataframe_split": {...}} or a records body as {"dataframe_records": [...]}.`);
    }
    throw new CairnError('UNSUPPORTED_MEDIA_TYPE', `Content-Type parameter '${key}' is not recognized: only charset=utf-8 may follow the type.`);
  }
  return type;
}

/**
 * The scoring protocol of `mlflow models serve`, so existing callers work unchanged: `POST
 * /invocations` (JSON with `dataframe_split`, `dataframe_records`, `instances` or `inputs`, or
 * text/csv) answers `{"predictions": [...]}`; `GET /ping`, `/health`, `/version`. Plus `POST
 * /feedback` for ground-truth labels. Each answer carries the request id and the version that
 * answered in headers.
 */
export function servingRoutes(server: ModelServer, monitoring: MonitorService, options: ServingRouteOptions): CairnRouter {
  return (app) => {
    app.get('/ping', { config: { policy: 'public' } }, async (_request, reply) => reply.type('text/plain').send('\n'));

    app.get('/health', { config: { policy: 'public' } }, async () => server.health());

    app.get('/version', { config: { policy: 'public' } }, async () => {
      const m = server.info;
      return { model: m.name, version: m.version, alias: m.alias, digest: m.digest, format: m.format, featureService: m.featureService, loadedAt: m.loadedAt, cairn: VERSION };
    });

    // The media type is judged before the body is read (Fastify's own refusals of a malformed
    // Content-Type included), so every refusal of it is the same 415.
    const checkType = async (request: { headers: Record<string, unknown> }) => {
      scoringContentType(request.headers['content-type'] as string | undefined);
    };
    app.post('/invocations', { config: { policy: 'reader' }, onRequest: checkType }, async (request, reply) => {
      const type = scoringContentType(request.headers['content-type']);
      let frame;
      if (type === 'text/csv') frame = parseCsv(typeof request.body === 'string' ? request.body : '', options.maxRows);
      else frame = parseScoringJson(request.body, options.maxRows);
      const query = request.query as Record<string, unknown>;
      const explain = flag('explain', query.explain);
      const at = typeof query.at === 'string' && query.at !== '' ? (/^\d+$/.test(query.at) ? Number(query.at) : query.at) : undefined;
      const result = await server.predict(frame, { requestId: request.id, explain, at, startedAt: request.arrivedAt || undefined });
      reply.header('x-cairn-model', result.model).header('x-cairn-model-version', String(result.version));
      const body: Record<string, unknown> = { predictions: result.predictions };
      if (result.statuses) body.statuses = result.statuses;
      if (result.features) body.features = result.features;
      return body;
    });

    app.post('/feedback', { config: { policy: 'editor' } }, async (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const list = Array.isArray(body?.labels) ? body.labels : body && typeof body === 'object' && !Array.isArray(body) ? [body] : null;
      if (!list) throw new CairnError('INVALID_ARGUMENT', 'Send {"request_id": "…", "label": 1}, {"entity": {"customer_id": 1}, "label": 1}, or {"labels": [...]}.');
      const items = list.map((l: Record<string, unknown>) => ({ requestId: (l?.request_id ?? l?.requestId) as string | undefined, row: l?.row as number | undefined, entity: l?.entity as Record<string, unknown> | undefined, time: l?.time as number | string | undefined, label: l?.label }));
      return { labels: await monitoring.label(server.info.name, items, { served: true }) };
    });
  };
}
