import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, or answer it itself with an S3 error. */
export type FaultDecision = 'pass' | { status: number; code: string; message?: string };

export interface S3FaultProxy {
  /** `http://127.0.0.1:<port>`: use it as the S3 endpoint. */
  endpoint: string;
  /** Every request seen, as `METHOD path?query`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a test S3 server that can answer requests with S3 errors (503
 * SlowDown, 500) instead of forwarding them, and records what passed. Tests use it to see
 * retries, throttling and aborted multipart uploads without touching the server.
 *
 * @example
 * ```ts
 * let n = 0;
 * const proxy = await startS3FaultProxy(s3.port, () => (n++ < 2 ? { status: 503, code: 'SlowDown' } : 'pass'));
 * ```
 */
export async function startS3FaultProxy(targetPort: number, decide: (req: IncomingMessage) => FaultDecision = () => 'pass'): Promise<S3FaultProxy> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const decision = decide(req);
    if (decision !== 'pass') {
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${decision.code}</Code><Message>${decision.message ?? decision.code}</Message></Error>`;
      res.writeHead(decision.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
