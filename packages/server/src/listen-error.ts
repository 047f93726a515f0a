import { CairnError } from '@cairn/core';

/**
 * Turns a failed `listen` into an error that says which address, why, and what to change. These are
 * mistakes in the setup (a port someone else holds, a privileged port, an address this machine does
 * not have), never bugs, so they must not read like one.
 */
export function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const fix = 'Pick another port with --port (or server.port in cairn.yaml, CAIRN_SERVER_PORT); --port 0 takes any free one.';
  switch (code) {
    case 'EADDRINUSE':
      return new CairnError('UNAVAILABLE', `Port ${port} on ${host} is already in use by another process (another \`cairn server\`, or \`npm start\`?), so Cairn cannot listen on ${where}. Stop that process, or: ${fix}`, { cause: e });
    case 'EACCES':
      return new CairnError('PERMISSION_DENIED', `This user may not listen on ${where}: ports below 1024 need privileges. ${fix}`, { cause: e });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CairnError('INVALID_ARGUMENT', `Cannot listen on ${where}: this machine has no address '${host}'. Use one of its own addresses with --host (or server.host, CAIRN_SERVER_HOST): 127.0.0.1 (this machine only) or 0.0.0.0 (every interface; turn on auth first).`, { cause: e });
    default:
      return e;
  }
}
