import { CairnError } from '../../../errors.js';
import type { OnlineReadRequest, OnlineRecord, OnlineStore, OnlineWrite } from '../online-store.js';

/** The subset of an ioredis pipeline this store uses. */
export interface RedisPipeline {
  hmget(key: string, ...fields: string[]): unknown;
  evalsha(sha: string, numKeys: number, ...args: string[]): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}
/** The subset of an ioredis client this store uses. */
export interface RedisClient {
  pipeline(): RedisPipeline;
  hmget(key: string, ...fields: string[]): Promise<Array<string | null>>;
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  quit(): Promise<unknown>;
}

// Stored per entity hash, one field per view: "<event ms>|<created ms or empty>|<values JSON>"
// (times are epoch ms, with microseconds as a fraction: "1704103200000.001").
// The script writes a field only when the new (event, created) is at least the stored one; times
// are parsed only when there is a stored row to compare with (a first materialization has none).
const WRITE_SCRIPT = `
local field = ARGV[1]
local n = 0
for i, key in ipairs(KEYS) do
  local payload = ARGV[i + 1]
  local old = redis.call('HGET', key, field)
  local write = true
  if old then
    local ne, nc = string.match(payload, '^([^|]*)|([^|]*)|')
    local oe, oc = string.match(old, '^([^|]*)|([^|]*)|')
    ne = tonumber(ne); nc = tonumber(nc) or -math.huge
    oe = tonumber(oe); oc = tonumber(oc) or -math.huge
    if oe > ne or (oe == ne and oc > nc) then write = false end
  end
  if write then redis.call('HSET', key, field, payload); n = n + 1 end
end
return n`;

// Keys per script call: small calls keep Redis responsive to other clients between them.
const SCRIPT_BATCH = 100;

export interface RedisOnlineStoreOptions {
  /** Prefix of every key (default `cairn:features:`). */
  keyPrefix?: string;
  /** Longest a read may wait for Redis before failing with UNAVAILABLE (default 500 ms). */
  readTimeoutMs?: number;
  /** Longest a write (or a view's deletion step) may wait for Redis (default 5 s). */
  writeTimeoutMs?: number;
  /** How messages name the server, e.g. `redis://10.0.0.5:6379/0` (never with a password). */
  where?: string;
}

/**
 * The Redis online store: one hash per entity (`<prefix><join keys>:<key>`), one field per view, so
 * a request for any number of views and entities is one pipelined round trip.
 *
 * @example
 * ```ts
 * const store = new RedisOnlineStore(new Redis('redis://127.0.0.1:6379/0'), { keyPrefix: 'cairn:' });
 * ```
 */
export class RedisOnlineStore implements OnlineStore {
  private sha: string | null = null;
  private readonly prefix: string;
  private readonly timeouts: { read: number; write: number };
  private readonly where: string;

  constructor(private readonly redis: RedisClient, options: RedisOnlineStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'cairn:features:';
    this.timeouts = { read: options.readTimeoutMs ?? 500, write: options.writeTimeoutMs ?? 5000 };
    this.where = options.where ?? 'Redis';
  }

  private hashKey(keyspace: string, key: string): string {
    return `${this.prefix}${keyspace}:${key}`;
  }

  async write(view: string, keyspace: string, rows: OnlineWrite[]): Promise<void> {
    if (!rows.length) return;
    const sha = await this.scriptSha();
    const pipe = this.redis.pipeline();
    const field = `v:${view}`;
    const prefix = this.hashKey(keyspace, '');
    for (let i = 0; i < rows.length; i += SCRIPT_BATCH) {
      const n = Math.min(SCRIPT_BATCH, rows.length - i);
      // evalsha's arguments: the hash keys, the field, then one payload per key.
      const args = new Array<string>(2 * n + 1);
      args[n] = field;
      for (let j = 0; j < n; j++) {
        const r = rows[i + j]!;
        args[j] = prefix + r.key;
        args[n + 1 + j] = `${r.eventTs}|${r.createdTs ?? ''}|${r.valuesJson}`;
      }
      pipe.evalsha(sha, n, ...args);
    }
    const results = await this.exec(pipe, 'write');
    const failed = results.find(([err]) => err);
    if (failed?.[0] && /NOSCRIPT/.test(failed[0].message)) {
      // The server restarted and lost its script cache: load it again and redo the batch (idempotent).
      this.sha = null;
      return this.write(view, keyspace, rows);
    }
    if (failed?.[0]) throw this.unavailable(failed[0]);
  }

  async read(requests: OnlineReadRequest[]): Promise<Array<Array<OnlineRecord | null>>> {
    // Group fields by hash so each entity costs one HMGET, all in a single pipeline. Each answer is
    // located by (hash number, field number), worked out once.
    const hashIndex = new Map<string, number>();
    const hashes: string[] = [];
    const fields: string[][] = [];
    const slots = requests.map((r) => {
      const field = `v:${r.view}`;
      return r.keys.map((k) => {
        const h = this.prefix + r.keyspace + ':' + k;
        let i = hashIndex.get(h);
        if (i === undefined) {
          hashIndex.set(h, (i = hashes.length));
          hashes.push(h);
          fields.push([]);
        }
        let f = fields[i]!.indexOf(field);
        if (f < 0) f = fields[i]!.push(field) - 1;
        return [i, f] as const;
      });
    });
    let replies: Array<Array<string | null>>;
    if (hashes.length === 1) {
      // One entity: a plain HMGET skips the pipeline's bookkeeping (still one round trip).
      replies = [await this.bounded('read', this.redis.hmget(hashes[0]!, ...fields[0]!))];
    } else {
      const pipe = this.redis.pipeline();
      for (let i = 0; i < hashes.length; i++) pipe.hmget(hashes[i]!, ...fields[i]!);
      replies = (await this.exec(pipe, 'read')).map(([err, v]) => {
        if (err) throw this.unavailable(err);
        return v as Array<string | null>;
      });
    }
    return slots.map((s) => s.map(([i, f]) => {
      const raw = replies[i]![f];
      return raw ? decode(raw) : null;
    }));
  }

  async deleteView(view: string, keyspace: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.bounded('write', this.redis.scan(cursor, 'MATCH', `${this.prefix}${keyspace}:*`, 'COUNT', 1000));
      for (const k of keys) await this.bounded('write', this.redis.hdel(k, `v:${view}`));
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }

  private async scriptSha(): Promise<string> {
    this.sha ??= String(await this.bounded('write', this.redis.script('LOAD', WRITE_SCRIPT)));
    return this.sha;
  }

  private async exec(pipe: RedisPipeline, kind: 'read' | 'write'): Promise<Array<[Error | null, unknown]>> {
    return (await this.bounded(kind, pipe.exec())) ?? [];
  }

  // Every command is bounded: a Redis that hangs (or a lost network path) fails the request in time
  // instead of holding it. The command itself stays queued in the client, which drops the
  // connection and reconnects when no answer comes (see createOnlineStore).
  private async bounded<T>(kind: 'read' | 'write', work: Promise<T>): Promise<T> {
    const ms = this.timeouts[kind];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.timedOut(kind, ms)), ms);
    });
    try {
      return await Promise.race([work.catch((e: unknown) => { throw this.unavailable(e as Error); }), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private unavailable(e: Error): CairnError {
    if (e instanceof CairnError) return e;
    return new CairnError('UNAVAILABLE', `The feature online store (${this.where}) is unavailable: ${e.message}. Retry in a moment: Cairn reconnects as soon as Redis answers again. If it persists, check that Redis is up and that features.online_store.uri (CAIRN_FEATURES_ONLINE_STORE_URI) names it.`, { cause: e });
  }

  private timedOut(kind: 'read' | 'write', ms: number): CairnError {
    return new CairnError('UNAVAILABLE', `The feature online store (${this.where}) did not answer a ${kind} within ${ms} ms. Retry in a moment; if Redis is just slow, raise features.online_store.${kind}_timeout_ms (CAIRN_FEATURES_ONLINE_STORE_${kind.toUpperCase()}_TIMEOUT_MS).`);
  }
}

function decode(raw: string): OnlineRecord {
  const a = raw.indexOf('|');
  const b = raw.indexOf('|', a + 1);
  const created = raw.slice(a + 1, b);
  return { eventTs: Number(raw.slice(0, a)), createdTs: created ? Number(created) : null, valuesJson: raw.slice(b + 1) };
}
