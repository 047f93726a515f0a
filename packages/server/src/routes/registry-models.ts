import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses, tagKeyQuery } from '../schemas/common.js';
import {
  createModelBody,
  modelBody,
  modelListBody,
  modelParams,
  overrideQuery,
  resolveQuery,
  searchQuery,
  tagBody,
  updateModelBody,
  versionBody,
  versionListBody,
} from '../schemas/registry-schemas.js';
import { actorOf } from './registry-actor.js';

const tags = ['registry'];

/** `/api/v1/models…` and `/api/v1/model-versions…`: registered models, their tags, search and resolve. */
export function registryModelRoutes(platform: Platform): CairnRouter {
  const registry = platform.registry;
  return (app) => {
    app.post('/models', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Register a model (a name that versions are added to)', body: createModelBody, response: responses({ 201: modelBody }) },
    }, async (request, reply) => reply.code(201).send({ model: await registry.createModel(request.body, { actor: actorOf(request) }) }));

    app.get('/models', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Search registered models (filter on name and tags)', querystring: searchQuery, response: responses({ 200: modelListBody }) },
    }, async (request) => {
      const page = await registry.searchModels(request.query);
      return { models: page.items, nextPageToken: page.nextPageToken };
    });

    app.get('/models/:name', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Get a registered model with its tags, aliases and latest versions', params: modelParams, response: responses({ 200: modelBody }) },
    }, async (request) => ({ model: await registry.getModel(request.params.name) }));

    app.patch('/models/:name', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Rename a model or change its description', params: modelParams, body: updateModelBody, response: responses({ 200: modelBody }) },
    }, async (request) => {
      const actor = actorOf(request);
      let name = request.params.name;
      if (request.body.description !== undefined) await registry.updateModel(name, { description: request.body.description }, { actor });
      if (request.body.newName !== undefined) name = (await registry.renameModel(name, request.body.newName, { actor })).name;
      return { model: await registry.getModel(name) };
    });

    app.delete('/models/:name', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a model with all its versions (protected aliases need an admin override)', params: modelParams, querystring: overrideQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await registry.deleteModel(request.params.name, { actor: actorOf(request), ...request.query });
      return {};
    });

    app.put('/models/:name/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Set a model tag', params: modelParams, body: tagBody, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await registry.setModelTag(request.params.name, request.body.key, request.body.value, { actor: actorOf(request) });
      return {};
    });

    app.delete('/models/:name/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a model tag', params: modelParams, querystring: tagKeyQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await registry.deleteModelTag(request.params.name, request.query.key, { actor: actorOf(request) });
      return {};
    });

    app.get('/models/:name/versions', {
      config: { policy: 'reader' },
      schema: { tags, summary: "List a model's versions (newest first), optionally filtered", params: modelParams, querystring: searchQuery, response: responses({ 200: versionListBody }) },
    }, async (request) => {
      await registry.getModel(request.params.name);
      const { filter, ...rest } = request.query;
      // Names cannot hold quotes, so the name is safe inside the filter.
      const scoped = `name = '${request.params.name}'${filter ? ` and (${filter})` : ''}`;
      const page = await registry.versions.search({ ...rest, filter: scoped, orderBy: rest.orderBy ?? ['version_number DESC'] });
      return { versions: page.items, nextPageToken: page.nextPageToken };
    });

    app.get('/model-versions', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Search versions of every model (name, run_id, version_number, tags, …)', querystring: searchQuery, response: responses({ 200: versionListBody }) },
    }, async (request) => {
      const page = await registry.versions.search(request.query);
      return { versions: page.items, nextPageToken: page.nextPageToken };
    });

    app.get('/model-versions/resolve', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Resolve models:/NAME/3, models:/NAME@alias or NAME/latest to a version', querystring: resolveQuery, response: responses({ 200: versionBody }) },
    }, async (request) => ({ version: await registry.resolve(request.query.uri) }));
  };
}
