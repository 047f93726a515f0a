import { Redis } from 'ioredis';
import { CairnError } from '../../../errors.js';

/**
 * A Redis connection from a `redis://` or `rediss://` URI. Commands wait through disconnects
 * (`maxRetriesPerRequest: null`, which BullMQ requires of blocking connections), so a Redis restart
 * delays dispatch instead of failing steps; the client reconnects forever, backing off to one try a
 * second. A connection whose commands get no reply for `replyTimeoutMs` (a hung Redis, a path lost
 * without a reset) is dropped and reconnected, so nothing waits on it forever. BullMQ's blocking
 * reads wait at most 10 s, well below it; its duplicated connections inherit it.
 */
export function connectRedis(uri: string, replyTimeoutMs = 30_000): Redis {
  if (!/^rediss?:\/\//.test(uri)) throw new CairnError('INVALID_ARGUMENT', `pipelines.queue_redis_uri must be redis://host:port[/db] or rediss://…, got '${uri}'.`);
  const redis = new Redis(uri, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(1000, 50 * times),
    socketTimeout: replyTimeoutMs,
  });
  // Connection errors are retried by ioredis; without a listener Node would treat them as fatal.
  redis.on('error', () => {});
  return redis;
}
