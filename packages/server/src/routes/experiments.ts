import type { Platform } from '@cairn/core';
import { emptySchema, responses, tagKeyQuery } from '../schemas/common.js';
import {
  createExperimentBody,
  experimentBody,
  experimentByNameParams,
  experimentIdParams,
  experimentListBody,
  listExperimentsQuery,
  renameExperimentBody,
  setTagBody,
} from '../schemas/experiment-schemas.js';
import type { CairnRouter } from '../router.js';

const tags = ['experiments'];

/** `/api/v1/experiments…`: create, list, get, rename, delete/restore and tag experiments. */
export function experimentRoutes(platform: Platform): CairnRouter {
  const experiments = platform.experiments;
  return (app) => {
    app.post('/experiments', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Create an experiment', body: createExperimentBody, response: responses({ 201: experimentBody }) },
    }, async (request, reply) => {
      const experiment = await experiments.create(request.body);
      return reply.code(201).send({ experiment });
    });

    app.get('/experiments', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Search experiments', querystring: listExperimentsQuery, response: responses({ 200: experimentListBody }) },
    }, async (request) => {
      const page = await experiments.search(request.query);
      return { experiments: page.items, nextPageToken: page.nextPageToken ?? null };
    });

    app.get('/experiments/:experimentId', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Get an experiment by id', params: experimentIdParams, response: responses({ 200: experimentBody }) },
    }, async (request) => ({ experiment: await experiments.get(request.params.experimentId) }));

    app.get('/experiments-by-name/:name', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Get an experiment by name (percent-encoded)', params: experimentByNameParams, response: responses({ 200: experimentBody }) },
    }, async (request) => ({ experiment: await experiments.getByName(request.params.name) }));

    app.patch('/experiments/:experimentId', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Rename an experiment', params: experimentIdParams, body: renameExperimentBody, response: responses({ 200: experimentBody }) },
    }, async (request) => ({ experiment: await experiments.rename(request.params.experimentId, request.body.name) }));

    app.delete('/experiments/:experimentId', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete an experiment (restorable)', params: experimentIdParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await experiments.delete(request.params.experimentId);
      return {};
    });

    app.post('/experiments/:experimentId/restore', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Restore a deleted experiment', params: experimentIdParams, response: responses({ 200: experimentBody }) },
    }, async (request) => {
      await experiments.restore(request.params.experimentId);
      return { experiment: await experiments.get(request.params.experimentId) };
    });

    app.put('/experiments/:experimentId/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Set an experiment tag', params: experimentIdParams, body: setTagBody, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await experiments.setTag(request.params.experimentId, request.body.key, request.body.value);
      return {};
    });

    app.delete('/experiments/:experimentId/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete an experiment tag', params: experimentIdParams, querystring: tagKeyQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await experiments.deleteTag(request.params.experimentId, request.query.key);
      return {};
    });
  };
}
