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

    app.post('/invocations', { config: { policy: 'reader' } }, async (request, reply) => {
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      let frame;
      if (type === 'text/csv') frame = parseCsv(typeof request.body === 'string' ? request.body : '', options.maxRows);
      else if (type === 'application/json') frame = parseScoringJson(request.body, options.maxRows);
      else throw new CairnError('INVALID_ARGUMENT', `Content-Type '${type || '(none)'}' is not accepted: send application/json (MLflow's scoring protocol) or text/csv.`);
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
      return { labels: await monitoring.label(server.info.name, items) };
    });
  };
}
