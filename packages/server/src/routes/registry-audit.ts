import type { Platform } from '@cairn/core';
import { z } from 'zod';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses } from '../schemas/common.js';
import { auditQuery, createWebhookBody, deliveriesQuery, deliverySchema, eventListBody, modelParams, webhookParams, webhookSchema } from '../schemas/registry-schemas.js';

const tags = ['registry'];

/** `/api/v1/models/:name/audit`, `/api/v1/registry/audit` and `/api/v1/webhooks…` (webhooks are admin-only). */
export function registryAuditRoutes(platform: Platform): CairnRouter {
  const { audit, webhooks } = platform.registry;
  return (app) => {
    app.get('/models/:name/audit', {
      config: { policy: 'reader' },
      schema: { tags, summary: "A model's audit log, newest first (works for renamed and deleted models too)", params: modelParams, querystring: auditQuery, response: responses({ 200: eventListBody }) },
    }, async (request) => {
      const page = await audit.list({ model: request.params.name, ...request.query });
      return { events: page.items, nextPageToken: page.nextPageToken };
    });

    app.get('/registry/audit', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'The audit log of every model, newest first', querystring: auditQuery.omit({ version: true }), response: responses({ 200: eventListBody }) },
    }, async (request) => {
      const page = await audit.list(request.query);
      return { events: page.items, nextPageToken: page.nextPageToken };
    });

    app.post('/webhooks', {
      config: { policy: 'admin' },
      schema: {
        tags,
        summary: 'Subscribe a URL to registry events (the signing secret is returned once)',
        description: 'Private, loopback and link-local targets are refused unless registry.webhooks_allow_private is set.',
        body: createWebhookBody,
        response: responses({ 201: z.object({ webhook: webhookSchema, secret: z.string() }) }),
      },
    }, async (request, reply) => reply.code(201).send(await webhooks.create(request.body)));

    app.get('/webhooks', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'List webhooks', response: responses({ 200: z.object({ webhooks: z.array(webhookSchema) }) }) },
    }, async () => ({ webhooks: await webhooks.list() }));

    app.get('/webhooks/:webhookId', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'Get a webhook', params: webhookParams, response: responses({ 200: z.object({ webhook: webhookSchema }) }) },
    }, async (request) => ({ webhook: await webhooks.get(request.params.webhookId) }));

    app.delete('/webhooks/:webhookId', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'Delete a webhook and its delivery log', params: webhookParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await webhooks.delete(request.params.webhookId);
      return {};
    });

    app.get('/webhooks/:webhookId/deliveries', {
      config: { policy: 'admin' },
      schema: { tags, summary: "A webhook's recent deliveries with every attempt", params: webhookParams, querystring: deliveriesQuery, response: responses({ 200: z.object({ deliveries: z.array(deliverySchema) }) }) },
    }, async (request) => ({ deliveries: await webhooks.deliveries(request.params.webhookId, request.query.maxResults ?? 50) }));
  };
}
