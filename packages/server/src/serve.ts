import type { FastifyInstance } from 'fastify';
import { openPlatform, startHeartbeatReaper, type CairnConfig, type Platform } from '@cairn/core';
import { buildApp, type BuildAppOptions } from './app.js';
import { listenError } from './listen-error.js';
import { closeGracefully } from './graceful-close.js';

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  /** `http://host:port` the server listens on. */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the platform. */
  close(): Promise<void>;
}

export interface StartServerOptions extends BuildAppOptions {
  /** Install SIGINT/SIGTERM handlers that close gracefully (default true; tests pass false). */
  handleSignals?: boolean;
}

/**
 * Opens the platform, builds the app, starts the heartbeat reaper and listens on
 * `server.host:server.port`. On SIGINT or SIGTERM it stops accepting, finishes in-flight requests
 * and closes the database, so no acknowledged write is lost.
 *
 * @example
 * ```ts
 * const server = await startServer(loadConfig());
 * console.log(`Cairn on ${server.url}`);
 * ```
 */
export async function startServer(config: CairnConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const platform = await openPlatform(config);
  let app: FastifyInstance | undefined;
  try {
    app = buildApp(platform, options);
    const reaper = startHeartbeatReaper(platform.runs, config.tracking.heartbeat_timeout_seconds, app.log);
    app.addHook('onClose', async () => reaper.stop());
    await app.listen({ host: config.server.host, port: config.server.port }).catch((e: unknown) => {
      throw listenError(e, config.server.host, config.server.port);
    });
  } catch (e) {
    await app?.close().catch(() => undefined);
    await platform.close();
    throw e;
  }
  return serving(app, platform, config, options);
}

function serving(app: FastifyInstance, platform: Platform, config: CairnConfig, options: StartServerOptions): RunningServer {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;

  let closing: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info(`${signal} received: finishing in-flight requests, then exiting`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      // fastify.close() stops accepting, answers 503 to new requests on kept-alive connections and
      // resolves once in-flight requests are done; only then may the database go away.
      await closeGracefully(app);
      await platform.close();
    })();
    return closing;
  };
  if (options.handleSignals !== false) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  return { app, platform, url: `http://${host}:${port}`, close };
}
