import type { Platform } from '@cairn/core';
import { CairnError, keyMap } from '@cairn/core';
import type { RequestFields } from '../mlflow/request-fields.js';
import type { CairnApp } from '../router.js';
import { actorOf } from '../routes/registry-actor.js';
import { modelVersionJson, registeredModelJson } from './convert.js';
import { addRegistryRoute } from './mlflow-registry-route.js';

/** `repeated RegisteredModelTag tags` as a plain record; a repeated key keeps the last value. */
export function tagsOf(fields: RequestFields): Record<string, string> {
  return keyMap(fields.messages('tags').map((t) => [t.requiredString('key'), t.string('value') ?? '']));
}

/** MLflow's registered-model RPCs, including aliases and get-latest-versions. */
export function registeredModelRoutes(app: CairnApp, platform: Platform): void {
  const registry = platform.registry;

  addRegistryRoute(app, 'POST', '/registered-models/create', 'editor', async (f, request) => {
    const model = await registry.createModel({ name: f.requiredString('name'), description: f.string('description') ?? null, tags: tagsOf(f) }, { actor: actorOf(request) });
    return { registered_model: registeredModelJson(model) };
  });

  addRegistryRoute(app, 'GET', '/registered-models/get', 'reader', async (f) => ({ registered_model: registeredModelJson(await registry.getModel(f.requiredString('name'))) }));

  addRegistryRoute(app, 'POST', '/registered-models/rename', 'editor', async (f, request) => {
    const model = await registry.renameModel(f.requiredString('name'), f.requiredString('new_name'), { actor: actorOf(request) });
    return { registered_model: registeredModelJson(model) };
  });

  addRegistryRoute(app, 'PATCH', '/registered-models/update', 'editor', async (f, request) => {
    const model = await registry.updateModel(f.requiredString('name'), { description: f.string('description') ?? null }, { actor: actorOf(request) });
    return { registered_model: registeredModelJson(model) };
  });

  addRegistryRoute(app, 'DELETE', '/registered-models/delete', 'editor', async (f, request) => {
    await registry.deleteModel(f.requiredString('name'), { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'GET', '/registered-models/search', 'reader', async (f) => {
    const page = await registry.searchModels({ filter: f.string('filter'), orderBy: f.stringList('order_by'), maxResults: f.int64('max_results'), pageToken: f.string('page_token') });
    const json: Record<string, unknown> = {};
    if (page.items.length) json.registered_models = page.items.map(registeredModelJson);
    if (page.nextPageToken) json.next_page_token = page.nextPageToken;
    return json;
  });

  // MLflow's client reads this with POST; both methods are reads.
  for (const method of ['POST', 'GET'] as const) {
    addRegistryRoute(app, method, '/registered-models/get-latest-versions', 'reader', async (f) => {
      const versions = await registry.latestVersions(f.requiredString('name'), f.stringList('stages'));
      return versions.length ? { model_versions: versions.map(modelVersionJson) } : {};
    });
  }

  addRegistryRoute(app, 'POST', '/registered-models/set-tag', 'editor', async (f, request) => {
    await registry.setModelTag(f.requiredString('name'), f.requiredString('key'), f.string('value') ?? '', { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'DELETE', '/registered-models/delete-tag', 'editor', async (f, request) => {
    await registry.deleteModelTag(f.requiredString('name'), f.requiredString('key'), { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'POST', '/registered-models/alias', 'editor', async (f, request) => {
    await registry.aliases.set(f.requiredString('name'), f.requiredString('alias'), versionOf(f), { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'DELETE', '/registered-models/alias', 'editor', async (f, request) => {
    await registry.aliases.delete(f.requiredString('name'), f.requiredString('alias'), { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'GET', '/registered-models/alias', 'reader', async (f) => ({
    model_version: modelVersionJson(await registry.aliases.get(f.requiredString('name'), f.requiredString('alias'))),
  }));
}

/** `version` is a string in MLflow's protos; numbers are accepted too. Anything else gets MLflow's message. */
export function versionOf(f: RequestFields): string {
  const raw = f.rawValue('version');
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === null || v === '') throw f.missing('version');
  const text = String(v).trim();
  if (!/^-?\d{1,15}$/.test(text)) {
    throw new CairnError('INVALID_ARGUMENT', `Model version must be an integer, got '${String(v).slice(0, 100)}'. Versions are whole numbers from 1.`, {
      details: { field: 'version' },
    });
  }
  return String(Number(text));
}
