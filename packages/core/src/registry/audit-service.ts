import { invalid, notFound } from '../errors.js';
import type { Page } from '../tracking/entities.js';
import { checkSafeInteger } from '../tracking/validation.js';
import type { AuditEvent } from './entities.js';
import type { RegistryContext } from './registry-context.js';
import { listEvents, modelIdFromEvents } from './sql/event-store.js';
import { isPossibleModelName, parseVersion } from './validation.js';

export interface AuditQuery {
  /** One model (by its current name, or the name it had if renamed or deleted); all models if absent. */
  model?: string;
  version?: number | string;
  alias?: string;
  /** An action (`alias.moved`) or a prefix with `*` (`promotion.*`). */
  action?: string;
  /** Epoch ms bounds, inclusive. */
  since?: number;
  until?: number;
  /** 1..1000, default 100. */
  maxResults?: number;
  pageToken?: string;
}

/** The append-only audit log: every change to a model, version, alias, tag or gate, newest first. */
export class AuditService {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * @example
   * ```ts
   * const { items } = await registry.audit.list({ model: 'churn', action: 'promotion.*' });
   * ```
   */
  async list(q: AuditQuery = {}): Promise<Page<AuditEvent>> {
    const limit = q.maxResults ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw invalid(`'maxResults' must be a whole number from 1 to 1000.`);
    if (q.action !== undefined && !/^[a-z_.]{1,64}\*?$/.test(q.action)) throw invalid(`Invalid action filter '${String(q.action).slice(0, 64)}': use an action such as alias.moved, or a prefix such as promotion.*.`);
    let modelId: string | undefined;
    if (q.model !== undefined) {
      const row = isPossibleModelName(q.model) ? await this.ctx.models.byName(q.model) : undefined;
      modelId = row?.model_id ?? (isPossibleModelName(q.model) ? (await modelIdFromEvents(this.ctx.db, q.model)) ?? undefined : undefined);
      if (!modelId) throw notFound(`Registered model '${String(q.model).slice(0, 256)}' (now or in the audit log)`);
    }
    const beforeId = decodeToken(q.pageToken);
    const items = await listEvents(this.ctx.db, {
      modelId,
      version: q.version === undefined ? undefined : parseVersion(q.model ?? '?', q.version),
      alias: q.alias,
      action: q.action,
      since: q.since === undefined ? undefined : checkSafeInteger(q.since, 'since'),
      until: q.until === undefined ? undefined : checkSafeInteger(q.until, 'until'),
      beforeId,
      limit: limit + 1,
    });
    const more = items.length > limit;
    const page = more ? items.slice(0, limit) : items;
    return { items: page, nextPageToken: more ? Buffer.from(JSON.stringify({ before: page.at(-1)!.id })).toString('base64url') : null };
  }
}

// Keyset paging on the event id: pages stay stable while new events are appended.
function decodeToken(token: string | undefined): number | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    const before = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { before?: unknown }).before;
    if (typeof before === 'number' && Number.isSafeInteger(before) && before > 0) return before;
  } catch {
    // Fall through to the error below.
  }
  throw invalid('Invalid page token: pass back the nextPageToken of the previous page unchanged.');
}
