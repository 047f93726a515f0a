import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

// Redis-backed suites run whenever CI=true (and fail loudly if the server is down); elsewhere they
// skip with a printed reason when nothing answers on the default address.
export const REDIS_TEST_URI = process.env.CAIRN_TEST_REDIS_URI ?? 'redis://127.0.0.1:6379/0';

let reachable: boolean | undefined;
export async function redisAvailable(): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  if (reachable !== undefined) return reachable;
  const client = new Redis(REDIS_TEST_URI, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    reachable = true;
  } catch (e) {
    reachable = false;
    console.warn(`Redis suites skipped: ${REDIS_TEST_URI} is unreachable (${(e as Error).message}). Set CI=true to require them.`);
  } finally {
    client.disconnect();
  }
  return reachable;
}

/** A key prefix no other test uses, and a function deleting every key under it. */
export function freshRedisPrefix(client: Redis): { prefix: string; clean(): Promise<void> } {
  const prefix = `cairn-test:${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async clean() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * A private `redis-server` child on a free port (no persistence), for tests that stop Redis on
 * purpose; the shared server is never touched. Pass the port of a stopped one to restart it.
 */
export async function startPrivateRedis(onPort?: number): Promise<{ uri: string; port: number; process: ChildProcess; stop(): Promise<void> }> {
  const port = onPort ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const uri = `redis://127.0.0.1:${port}/0`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(uri, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    uri, port, process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
