import { Redis, type RedisOptions } from 'ioredis';
import { CairnError } from '../../../errors.js';

/**
 * A Redis connection from a `redis://` or `rediss://` URI. Commands wait through disconnects
 * (`maxRetriesPerRequest: null`, which BullMQ requires of blocking connections), so a Redis restart
 * delays dispatch instead of failing steps.
 */
export function connectRedis(uri: string, extra: RedisOptions = {}): Redis {
  if (!/^rediss?:\/\//.test(uri)) throw new CairnError('INVALID_ARGUMENT', `pipelines.queue_redis_uri must be redis://host:port[/db] or rediss://…, got '${uri}'.`);
  const redis = new Redis(uri, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(1000, 50 * times),
    ...extra,
  });
  // Connection errors are retried by ioredis; without a listener Node would treat them as fatal.
  redis.on('error', () => {});
  return redis;
}
