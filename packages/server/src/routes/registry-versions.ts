import type { Platform, Signature } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses, tagKeyQuery } from '../schemas/common.js';
import {
  createVersionBody,
  lineageBody,
  modelParams,
  overrideQuery,
  tagBody,
  updateVersionBody,
  versionBody,
  versionParams,
} from '../schemas/registry-schemas.js';
import { actorOf } from './registry-actor.js';

const tags = ['registry'];

/** `/api/v1/models/:name/versions…`: register, read, update, delete and tag versions; finalize uploads; lineage. */
export function registryVersionRoutes(platform: Platform): CairnRouter {
  const versions = platform.registry.versions;
  return (app) => {
    app.post('/models/:name/versions', {
      config: { policy: 'editor' },
      schema: {
        tags,
        summary: 'Register a version from a run, another version, or (no source) a pending upload',
        description: 'Sources outside Cairn-assigned artifact locations (file:, http:, hosts, absolute or .. paths) are refused.',
        params: modelParams,
        body: createVersionBody,
        response: responses({ 201: versionBody }),
      },
    }, async (request, reply) => {
      const b = request.body;
      const version = await versions.create({
        name: request.params.name,
        source: b.source ?? null,
        runId: b.runId ?? null,
        description: b.description ?? null,
        tags: b.tags,
        signature: (b.signature ?? null) as Signature | null,
        inputExample: b.inputExample,
        format: (b.format ?? null) as never,
      }, { actor: actorOf(request) });
      return reply.code(201).send({ version });
    });

    app.get('/models/:name/versions/:version', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Get a version', params: versionParams, response: responses({ 200: versionBody }) },
    }, async (request) => ({ version: await versions.get(request.params.name, request.params.version) }));

    app.patch('/models/:name/versions/:version', {
      config: { policy: 'editor' },
      schema: { tags, summary: "Change a version's description", params: versionParams, body: updateVersionBody, response: responses({ 200: versionBody }) },
    }, async (request) => ({ version: await versions.update(request.params.name, request.params.version, request.body, { actor: actorOf(request) }) }));

    app.delete('/models/:name/versions/:version', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a version and its files (one holding a protected alias needs an admin override)', params: versionParams, querystring: overrideQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await versions.delete(request.params.name, request.params.version, { actor: actorOf(request), ...request.query });
      return {};
    });

    app.put('/models/:name/versions/:version/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Set a version tag', params: versionParams, body: tagBody, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await versions.setTag(request.params.name, request.params.version, request.body.key, request.body.value, { actor: actorOf(request) });
      return {};
    });

    app.delete('/models/:name/versions/:version/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a version tag', params: versionParams, querystring: tagKeyQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await versions.deleteTag(request.params.name, request.params.version, request.query.key, { actor: actorOf(request) });
      return {};
    });

    app.post('/models/:name/versions/:version/finalize', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'End an upload: hash the uploaded files and mark the version READY', params: versionParams, response: responses({ 200: versionBody }) },
    }, async (request) => ({ version: await versions.finalize(request.params.name, request.params.version, { actor: actorOf(request) }) }));

    app.get('/models/:name/versions/:version/lineage', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'The run, data, code, pipeline run and feature service behind a version', params: versionParams, response: responses({ 200: lineageBody }) },
    }, async (request) => {
      const v = await versions.get(request.params.name, request.params.version);
      return { lineage: await platform.registry.lineage.of(`models:/${encodeURIComponent(v.name)}/${v.version}`) };
    });
  };
}
