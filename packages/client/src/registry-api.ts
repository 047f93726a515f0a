import type {
  ArtifactPreview,
  AuditEvent,
  AuditQuery,
  CreateModelInput,
  CreateVersionInput,
  CreateWebhookInput,
  GateEvaluation,
  GatePolicy,
  Lineage,
  ModelFile,
  MonitoringOverview,
  ModelVersion,
  Page,
  Promotion,
  RegisteredModel,
  RegistrySearchQuery,
  SetGateInput,
  Webhook,
  WebhookDelivery,
} from '@cairn/core';
import type { CairnClientOptions, CallOptions } from './cairn-api.js';
import { HttpTransport } from './http-transport.js';

const seg = encodeURIComponent;
export const modelPath = (name: string) => `/api/v1/models/${seg(name)}`;
export const versionPath = (name: string, version: number | string) => `${modelPath(name)}/versions/${seg(String(version))}`;
const m = modelPath;
const v = versionPath;

export interface OverrideInput {
  /** Admins only: move or delete a protected alias outside its gate. */
  force?: boolean;
  reason?: string;
}

/**
 * The model registry's `/api/v1` routes that run anywhere `fetch` does, browsers included (the web
 * UI uses it as `CairnApi.models`). {@link RegistryClient} adds Node streams for version files.
 * Errors come back as `CairnError` with the server's code.
 *
 * @example
 * ```ts
 * const api = new CairnApi({ baseUrl: window.location.origin });
 * const { items } = await api.models.searchModels({ filter: "alias = 'champion'" });
 * const promotion = await api.models.promote('churn', 7, 'champion');
 * ```
 */
export class RegistryApi {
  protected readonly http: HttpTransport;

  constructor(options: CairnClientOptions) {
    // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.http = new HttpTransport(options.baseUrl, options.token, options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async createModel(input: CreateModelInput): Promise<RegisteredModel> {
    return (await this.http.json<{ model: RegisteredModel }>('POST', '/api/v1/models', { json: input })).model;
  }

  async getModel(name: string): Promise<RegisteredModel> {
    return (await this.http.json<{ model: RegisteredModel }>('GET', m(name))).model;
  }

  async searchModels(q: RegistrySearchQuery = {}): Promise<Page<RegisteredModel>> {
    const res = await this.http.json<{ models: RegisteredModel[]; nextPageToken: string | null }>('GET', '/api/v1/models', { query: { ...q } });
    return { items: res.models, nextPageToken: res.nextPageToken ?? null };
  }

  async updateModel(name: string, input: { newName?: string; description?: string | null }): Promise<RegisteredModel> {
    return (await this.http.json<{ model: RegisteredModel }>('PATCH', m(name), { json: input })).model;
  }

  async deleteModel(name: string, override: OverrideInput = {}): Promise<void> {
    await this.http.json('DELETE', m(name), { query: { ...override } });
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.http.json('PUT', `${m(name)}/tags`, { json: { key, value } });
  }

  async createVersion(input: CreateVersionInput): Promise<ModelVersion> {
    const { name, ...body } = input;
    return (await this.http.json<{ version: ModelVersion }>('POST', `${m(name)}/versions`, { json: body })).version;
  }

  async getVersion(name: string, version: number | string): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('GET', v(name, version))).version;
  }

  async listVersions(name: string, q: RegistrySearchQuery = {}): Promise<Page<ModelVersion>> {
    const res = await this.http.json<{ versions: ModelVersion[]; nextPageToken: string | null }>('GET', `${m(name)}/versions`, { query: { ...q } });
    return { items: res.versions, nextPageToken: res.nextPageToken ?? null };
  }

  async searchVersions(q: RegistrySearchQuery = {}): Promise<Page<ModelVersion>> {
    const res = await this.http.json<{ versions: ModelVersion[]; nextPageToken: string | null }>('GET', '/api/v1/model-versions', { query: { ...q } });
    return { items: res.versions, nextPageToken: res.nextPageToken ?? null };
  }

  async setVersionTag(name: string, version: number | string, key: string, value: string): Promise<void> {
    await this.http.json('PUT', `${v(name, version)}/tags`, { json: { key, value } });
  }

  async deleteVersion(name: string, version: number | string, override: OverrideInput = {}): Promise<void> {
    await this.http.json('DELETE', v(name, version), { query: { ...override } });
  }

  async finalizeVersion(name: string, version: number | string): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('POST', `${v(name, version)}/finalize`)).version;
  }

  async versionFiles(name: string, version: number | string): Promise<ModelFile[]> {
    return (await this.http.json<{ files: ModelFile[] }>('GET', `${v(name, version)}/artifacts`)).files;
  }

  async resolve(uri: string): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('GET', '/api/v1/model-versions/resolve', { query: { uri } })).version;
  }

  async setAlias(name: string, alias: string, version: number | string, override: OverrideInput = {}): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('PUT', `${m(name)}/aliases/${seg(alias)}`, { json: { version: String(version), ...override } })).version;
  }

  async deleteAlias(name: string, alias: string, override: OverrideInput = {}): Promise<void> {
    await this.http.json('DELETE', `${m(name)}/aliases/${seg(alias)}`, { query: { ...override } });
  }

  async promote(name: string, version: number | string, alias: string, options: { reason?: string } = {}): Promise<Promotion> {
    return (await this.http.json<{ promotion: Promotion }>('POST', `${m(name)}/aliases/${seg(alias)}/promote`, { json: { version: String(version), ...options } })).promotion;
  }

  async evaluateGate(name: string, version: number | string, alias: string): Promise<GateEvaluation> {
    return (await this.http.json<{ promotion: GateEvaluation }>('POST', `${m(name)}/aliases/${seg(alias)}/evaluate`, { json: { version: String(version) } })).promotion;
  }

  /** An alias's moves, newest first, and (with `at`, epoch ms) the version it held then. */
  aliasHistory(name: string, alias: string, at?: number): Promise<{ at: { time: number; version: number | null; event: AuditEvent | null } | null; events: AuditEvent[] }> {
    return this.http.json('GET', `${m(name)}/aliases/${seg(alias)}/history`, { query: { at } });
  }

  async setGate(input: SetGateInput): Promise<GatePolicy> {
    const { model, alias, ...body } = input;
    return (await this.http.json<{ gate: GatePolicy }>('PUT', `${m(model)}/gates/${seg(alias)}`, { json: body })).gate;
  }

  async gates(name: string): Promise<GatePolicy[]> {
    return (await this.http.json<{ gates: GatePolicy[] }>('GET', `${m(name)}/gates`)).gates;
  }

  async deleteGate(name: string, alias: string): Promise<void> {
    await this.http.json('DELETE', `${m(name)}/gates/${seg(alias)}`);
  }

  async audit(q: AuditQuery = {}): Promise<Page<AuditEvent>> {
    const { model, ...query } = q;
    const res = await this.http.json<{ events: AuditEvent[]; nextPageToken: string | null }>('GET', model ? `${m(model)}/audit` : '/api/v1/registry/audit', { query: { ...query, version: query.version === undefined ? undefined : String(query.version) } });
    return { items: res.events, nextPageToken: res.nextPageToken ?? null };
  }

  /**
   * A model's monitoring over a window (default the last 24 hours): the version answering requests,
   * request rate and latency per time slice, the monitor's drift, quality and performance metrics
   * over time, and the alerts it fired.
   */
  async monitoring(name: string, q: { since?: number; until?: number; buckets?: number } = {}, options: CallOptions = {}): Promise<MonitoringOverview> {
    const query = { since: q.since?.toString(), until: q.until?.toString(), buckets: q.buckets?.toString() };
    return (await this.http.json<{ monitoring: MonitoringOverview }>('GET', `${m(name)}/monitoring`, { query, ...options })).monitoring;
  }

  async lineage(name: string, version: number | string): Promise<Lineage> {
    return (await this.http.json<{ lineage: Lineage }>('GET', `${v(name, version)}/lineage`)).lineage;
  }

  createWebhook(input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    return this.http.json('POST', '/api/v1/webhooks', { json: input });
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (await this.http.json<{ webhooks: Webhook[] }>('GET', '/api/v1/webhooks')).webhooks;
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/webhooks/${seg(id)}`);
  }

  async webhookDeliveries(id: string): Promise<WebhookDelivery[]> {
    return (await this.http.json<{ deliveries: WebhookDelivery[] }>('GET', `/api/v1/webhooks/${seg(id)}/deliveries`)).deliveries;
  }


  /** A preview of one of a version's files: its first text, its first table rows, or its kind. */
  async previewVersionFile(name: string, version: number | string, path: string, options: CallOptions = {}): Promise<ArtifactPreview> {
    return (await this.http.json<{ preview: ArtifactPreview }>('GET', `${v(name, version)}/artifacts/preview`, { query: { path }, ...options })).preview;
  }
}
