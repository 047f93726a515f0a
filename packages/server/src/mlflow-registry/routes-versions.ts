import type { Platform } from '@cairn/core';
import type { CairnApp } from '../router.js';
import { actorOf } from '../routes/registry-actor.js';
import { downloadUri, modelVersionJson } from './convert.js';
import { addRegistryRoute } from './mlflow-registry-route.js';
import { tagsOf, versionOf } from './routes-models.js';

const MLFLOW_VERSION_ORDER = ['last_updated_timestamp DESC'];

/** MLflow's model-version RPCs, including the deprecated stage transition and the download URI. */
export function modelVersionRoutes(app: CairnApp, platform: Platform): void {
  const registry = platform.registry;

  // `source` must be a place Cairn assigned (a run's artifacts or another version); `run_link` is ignored.
  addRegistryRoute(app, 'POST', '/model-versions/create', 'editor', async (f, request) => {
    const version = await registry.versions.create(
      { name: f.requiredString('name'), source: f.requiredString('source'), runId: f.string('run_id') ?? null, description: f.string('description') ?? null, tags: tagsOf(f) },
      { actor: actorOf(request) },
    );
    return { model_version: modelVersionJson(version) };
  });

  addRegistryRoute(app, 'GET', '/model-versions/get', 'reader', async (f) => ({
    model_version: modelVersionJson(await registry.versions.get(f.requiredString('name'), versionOf(f))),
  }));

  addRegistryRoute(app, 'PATCH', '/model-versions/update', 'editor', async (f, request) => {
    const version = await registry.versions.update(f.requiredString('name'), versionOf(f), { description: f.string('description') ?? null }, { actor: actorOf(request) });
    return { model_version: modelVersionJson(version) };
  });

  addRegistryRoute(app, 'POST', '/model-versions/transition-stage', 'editor', async (f, request) => {
    // A proto bool: JSON true/false, or the strings an old client may send.
    const archive = (request.body as Record<string, unknown> | undefined)?.archive_existing_versions;
    const version = await registry.versions.transitionStage(f.requiredString('name'), versionOf(f), f.requiredString('stage'), archive === true || archive === 'true', { actor: actorOf(request) });
    return { model_version: modelVersionJson(version) };
  });

  addRegistryRoute(app, 'DELETE', '/model-versions/delete', 'editor', async (f, request) => {
    await registry.versions.delete(f.requiredString('name'), versionOf(f), { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'GET', '/model-versions/search', 'reader', async (f) => {
    // MLflow's default order (its SQL store): last updated first, then name and version; /api/v1 keeps Cairn's.
    const orderBy = f.stringList('order_by');
    const page = await registry.versions.search({
      filter: f.string('filter'),
      orderBy: orderBy.length ? orderBy : MLFLOW_VERSION_ORDER,
      maxResults: f.int64('max_results'),
      pageToken: f.string('page_token'),
    });
    const json: Record<string, unknown> = {};
    if (page.items.length) json.model_versions = page.items.map(modelVersionJson);
    if (page.nextPageToken) json.next_page_token = page.nextPageToken;
    return json;
  });

  addRegistryRoute(app, 'GET', '/model-versions/get-download-uri', 'reader', async (f) => ({
    artifact_uri: downloadUri(await registry.versions.get(f.requiredString('name'), versionOf(f))),
  }));

  addRegistryRoute(app, 'POST', '/model-versions/set-tag', 'editor', async (f, request) => {
    await registry.versions.setTag(f.requiredString('name'), versionOf(f), f.requiredString('key'), f.string('value') ?? '', { actor: actorOf(request) });
    return {};
  });

  addRegistryRoute(app, 'DELETE', '/model-versions/delete-tag', 'editor', async (f, request) => {
    await registry.versions.deleteTag(f.requiredString('name'), versionOf(f), f.requiredString('key'), { actor: actorOf(request) });
    return {};
  });
}
