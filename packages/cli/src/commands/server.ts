import { Command, InvalidArgumentError } from 'commander';
import { out, redactUri, storeConfig } from '../cli-context.js';

interface ServerOptions { host?: string; port?: number }

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('Expected a port number from 0 to 65535 (0 picks a free port).');
  return n;
}

export function serverCommand(): Command {
  return new Command('server')
    .description("Serve the project's store over HTTP (the /api/v1 API) until interrupted.")
    .option('--host <host>', 'interface to listen on (default from config: 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default from config: 5050; 0 picks a free one)', port)
    .addHelpText('after', `
Settings come from cairn.yaml (server.*, store.uri, auth), CAIRN_* variables, then these flags.
Listening beyond loopback? Turn on auth (auth: enabled) and create tokens with \`cairn tokens create\`.

Examples:
  $ cairn server
  $ cairn server --host 0.0.0.0 --port 8080
  $ CAIRN_STORE_URI=postgres://cairn@db/cairn cairn server`)
    .action(async (opts: ServerOptions, self: Command) => {
      const server: Record<string, unknown> = {};
      if (opts.host !== undefined) server.host = opts.host;
      if (opts.port !== undefined) server.port = opts.port;
      const config = await storeConfig(self, '`cairn server`', Object.keys(server).length ? { server } : {});
      // Loaded on demand so other commands do not pay for the HTTP stack.
      const { startServer } = await import('@cairn/server');
      const running = await startServer(config);
      out(`Cairn server listening on ${running.url} (store ${redactUri(config.store.uri)}, artifacts ${redactUri(config.artifact.uri)}); web UI at ${running.url}/\n`);
      // A misconfigured artifact store (S3 credentials, bucket, endpoint) is said now, not at the first upload; the server keeps serving.
      await running.platform.artifacts.stat('').catch((e: Error) => process.stderr.write(`warning: the artifact store is not usable: ${e.message}\n`));
    });
}
