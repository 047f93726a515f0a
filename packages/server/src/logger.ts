import type { FastifyServerOptions } from 'fastify';
import pinoPretty from 'pino-pretty';
import type { CairnConfig } from '@cairn/core';

/** Where log lines go: stdout, or a stream a test reads. */
export interface LogDestination extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/**
 * The logger of `cairn server` (and of `cairn start`'s server) by `server.log_format`: pino's JSON
 * lines for log collectors, or one readable line per event for a person at a terminal. `auto`
 * decides by whether the destination is a terminal, so `cairn server` in a shell reads well and
 * `cairn server > log.jsonl` (or under systemd, Docker, Kubernetes) stays machine-readable.
 */
export function serverLogger(format: CairnConfig['server']['log_format'], destination: LogDestination = process.stdout): FastifyServerOptions['logger'] {
  const text = format === 'text' || (format === 'auto' && Boolean(destination.isTTY));
  if (!text) return destination === process.stdout ? { level: 'info' } : { level: 'info', stream: destination };
  const stream = pinoPretty({
    destination,
    sync: true,
    colorize: Boolean(destination.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
    ignore: 'pid,hostname,reqId,req,res,responseTime,error_code,reason',
    messageFormat: requestLine,
  });
  return { level: 'info', stream };
}

// Fastify logs each request twice (on arrival and when answered); one short line each, tied by the request id.
function requestLine(log: Record<string, unknown>, messageKey: string): string {
  const id = typeof log.reqId === 'string' ? `${log.reqId} ` : '';
  const req = log.req as { method?: string; url?: string; remoteAddress?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  if (req?.method) return `${id}${req.method} ${req.url ?? ''}${req.remoteAddress ? ` from ${req.remoteAddress}` : ''}`;
  if (res?.statusCode !== undefined) {
    const ms = typeof log.responseTime === 'number' ? ` in ${log.responseTime.toFixed(1)} ms` : '';
    return `${id}${res.statusCode}${ms}`;
  }
  if (typeof log.error_code === 'string') return `${id}${String(log[messageKey] ?? '')}: ${log.error_code} ${String(log.reason ?? '')}`;
  return `${id}${String(log[messageKey] ?? '')}`;
}
