import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { responses } from '../schemas/common.js';
import { monitoringBody, monitoringQuery, monitoringWindow } from '../schemas/monitoring-schemas.js';
import { modelParams } from '../schemas/registry-schemas.js';

/** `/api/v1/models/:name/monitoring`: what the model's monitoring tab shows. */
export function modelMonitoringRoutes(platform: Platform): CairnRouter {
  return (app) => {
    app.get('/models/:name/monitoring', {
      config: { policy: 'reader' },
      schema: {
        tags: ['monitoring'],
        summary: "A model's served version, request rate and latency, the monitor's metrics over time and the alerts it fired",
        description: 'Traffic comes from the inference log `cairn models serve` writes; drift, data quality and live performance from the runs `cairn monitor run` records '
          + '(experiment `monitoring/<model>`); alerts from the `monitoring.alert` events of the audit log.',
        params: modelParams,
        querystring: monitoringQuery,
        response: responses({ 200: monitoringBody }),
      },
    }, async (request) => ({ monitoring: await platform.monitoring.overview(request.params.name, monitoringWindow(request.query)) }));
  };
}
