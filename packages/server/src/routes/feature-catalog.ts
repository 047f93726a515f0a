import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { responses } from '../schemas/common.js';
import {
  datasetIdParams, freshnessBody, materializationsBody, materializationsQuery, nameParams, objectKindQuery, serviceDetailBody, trainingSetBody, versionsBody, viewDetailBody,
} from '../schemas/feature-catalog-schemas.js';

const tags = ['features'];

/** `/api/v1/features/…` reads for browsing the feature store: freshness, view and service details, history, materializations, training sets. */
export function featureCatalogRoutes(platform: Platform): CairnRouter {
  const catalog = platform.features.catalog;
  return (app) => {
    app.get('/features/freshness', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Each feature view\'s watermark, last materialization and whether it is stale (online and older than its TTL, or never materialized)', response: responses({ 200: freshnessBody }) },
    }, async () => ({ views: await catalog.freshness() }));

    app.get('/features/views/:name', {
      config: { policy: 'reader' },
      schema: {
        tags, summary: 'A feature view (or on-demand view): versions with their plan diffs, freshness, statistics and expectation results of the latest checked run, materializations, who uses it',
        params: nameParams, response: responses({ 200: viewDetailBody }),
      },
    }, async (request) => ({ view: await catalog.view(request.params.name) }));

    app.get('/features/services/:name', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'A feature service: its views and features, versions, training sets built from it, and the runs and models that used it', params: nameParams, response: responses({ 200: serviceDetailBody }) },
    }, async (request) => ({ service: await catalog.service(request.params.name) }));

    app.get('/features/objects/:name/versions', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Every applied version of a definition, with what changed each time', params: nameParams, querystring: objectKindQuery, response: responses({ 200: versionsBody }) },
    }, async (request) => ({ versions: await catalog.versions(request.query.kind, request.params.name) }));

    app.get('/features/materializations', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Materialization runs, newest first (without statistics)', querystring: materializationsQuery, response: responses({ 200: materializationsBody }) },
    }, async (request) => ({ runs: await catalog.materializations(request.query.view, request.query.maxResults) }));

    app.get('/features/training-sets/:datasetId', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'A recorded training set: the definitions and versions it was built from, its digests and its run', params: datasetIdParams, response: responses({ 200: trainingSetBody }) },
    }, async (request) => ({ trainingSet: await catalog.trainingSet(request.params.datasetId) }));
  };
}
