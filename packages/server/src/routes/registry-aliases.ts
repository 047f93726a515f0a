import { CairnError, type Platform } from '@cairn/core';
import { z } from 'zod';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses } from '../schemas/common.js';
import {
  aliasHistoryBody,
  aliasHistoryQuery,
  aliasParams,
  evaluateBody,
  gateBody,
  gateSchema,
  modelParams,
  overrideQuery,
  promoteBody,
  promotionBody,
  setAliasBody,
  versionBody,
} from '../schemas/registry-schemas.js';
import { actorOf } from './registry-actor.js';

const tags = ['registry'];

/** `at=` as epoch milliseconds or an ISO 8601 time. */
function parseAt(at: string): number {
  const t = /^\d{1,16}$/.test(at) ? Number(at) : Date.parse(at);
  if (!Number.isSafeInteger(t)) throw new CairnError('INVALID_ARGUMENT', `Invalid 'at' ${JSON.stringify(at.slice(0, 60))}: give epoch milliseconds or an ISO 8601 time such as 2024-06-01T12:00:00Z.`);
  return t;
}

/** `/api/v1/models/:name/aliases…` and `/gates…`: aliases, gated promotion, alias history, gate policies. */
export function registryAliasRoutes(platform: Platform): CairnRouter {
  const { aliases, gates } = platform.registry;
  return (app) => {
    app.get('/models/:name/aliases/:alias', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Resolve an alias to its version', params: aliasParams, response: responses({ 200: versionBody }) },
    }, async (request) => ({ version: await aliases.get(request.params.name, request.params.alias) }));

    app.put('/models/:name/aliases/:alias', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Point an alias at a version (a protected alias: admins only, with force and a reason)', params: aliasParams, body: setAliasBody, response: responses({ 200: versionBody }) },
    }, async (request) => {
      const { version, force, reason } = request.body;
      await aliases.set(request.params.name, request.params.alias, version, { actor: actorOf(request), force, reason });
      return { version: await aliases.get(request.params.name, request.params.alias) };
    });

    app.delete('/models/:name/aliases/:alias', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete an alias', params: aliasParams, querystring: overrideQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await aliases.delete(request.params.name, request.params.alias, { actor: actorOf(request), ...request.query });
      return {};
    });

    app.post('/models/:name/aliases/:alias/promote', {
      config: { policy: 'editor' },
      schema: {
        tags,
        summary: "Move the alias to a version if the alias's gate passes",
        description: 'Answers 200 either way; `promotion.passed` says whether the alias moved, and `conditions` gives each condition with its actual values. Every evaluation is in the audit log.',
        params: aliasParams,
        body: promoteBody,
        response: responses({ 200: promotionBody }),
      },
    }, async (request) => ({ promotion: await gates.promote(request.params.name, request.body.version, request.params.alias, { actor: actorOf(request), reason: request.body.reason }) }));

    app.post('/models/:name/aliases/:alias/evaluate', {
      config: { policy: 'reader' },
      schema: { tags, summary: "Evaluate the alias's gate for a version without moving anything (recorded as gate.evaluated)", params: aliasParams, body: evaluateBody, response: responses({ 200: promotionBody }) },
    }, async (request) => ({ promotion: await gates.check(request.params.name, request.body.version, request.params.alias, { actor: actorOf(request) }) }));

    app.get('/models/:name/aliases/:alias/history', {
      config: { policy: 'reader' },
      schema: { tags, summary: "An alias's moves, newest first; with ?at=, the version it held at that time", params: aliasParams, querystring: aliasHistoryQuery, response: responses({ 200: aliasHistoryBody }) },
    }, async (request) => {
      const { name, alias } = request.params;
      const at = request.query.at === undefined ? null : await aliases.at(name, alias, parseAt(request.query.at));
      return { at: at && { time: at.time, version: at.version, event: at.event }, events: await aliases.history(name, alias, request.query.maxResults ?? 100) };
    });

    app.get('/models/:name/gates', {
      config: { policy: 'reader' },
      schema: { tags, summary: "A model's promotion gates", params: modelParams, response: responses({ 200: z.object({ gates: z.array(gateSchema) }) }) },
    }, async (request) => ({ gates: await gates.list(request.params.name) }));

    app.get('/models/:name/gates/:alias', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'The promotion gate of an alias', params: aliasParams, response: responses({ 200: z.object({ gate: gateSchema }) }) },
    }, async (request) => ({ gate: await gates.get(request.params.name, request.params.alias) }));

    app.put('/models/:name/gates/:alias', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'Set the promotion gate of an alias (conditions are checked and refused with the position of an error)', params: aliasParams, body: gateBody, response: responses({ 200: z.object({ gate: gateSchema }) }) },
    }, async (request) => ({ gate: await gates.set({ model: request.params.name, alias: request.params.alias, ...request.body }, { actor: actorOf(request) }) }));

    app.delete('/models/:name/gates/:alias', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'Remove the promotion gate of an alias', params: aliasParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await gates.delete(request.params.name, request.params.alias, { actor: actorOf(request) });
      return {};
    });
  };
}
