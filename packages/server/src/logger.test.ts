import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { buildApp } from './app.js';
import { serverLogger, type LogDestination } from './logger.js';

/** A destination that keeps what is written; `isTTY` says whether it stands for a terminal. */
function sink(isTTY: boolean): LogDestination & { text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  }) as Writable & { isTTY?: boolean; text(): string };
  stream.isTTY = isTTY;
  stream.text = () => text;
  return stream;
}

describe('server log lines', () => {
  let dir: string;
  let platform: Platform;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-logger-'));
    platform = await openPlatform(loadConfig({ cwd: dir, env: {} }));
  });
  afterAll(async () => {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function logsOf(format: 'auto' | 'text' | 'json', isTTY: boolean): Promise<string> {
    const out = sink(isTTY);
    const app = buildApp(platform, { logger: serverLogger(format, out) });
    await app.inject({ method: 'GET', url: '/health' });
    await app.inject({ method: 'GET', url: '/api/v1/experiments/424242' });
    await app.close();
    return out.text();
  }

  it('are readable lines on a terminal (auto): method, path, status and time, no JSON', async () => {
    const text = (await logsOf('auto', true)).replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/\[\d\d:\d\d:\d\d\] INFO.*: req-1 GET \/health/);
    expect(text).toMatch(/req-1 200 in \d+\.\d ms/);
    expect(text).toMatch(/req-2 GET \/api\/v1\/experiments\/424242/);
    expect(text).toMatch(/req-2 request refused: NOT_FOUND Experiment with id '424242' does not exist/);
    expect(text).toMatch(/req-2 404 in/);
    for (const line of text.trim().split('\n')) expect(line.trim().startsWith('{')).toBe(false);
  });

  it('are JSON lines when the output is not a terminal (auto), and always with log_format json', async () => {
    for (const text of [await logsOf('auto', false), await logsOf('json', true)]) {
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.msg === 'incoming request')).toMatchObject({ reqId: 'req-1', req: { method: 'GET', url: '/health' } });
      expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ res: { statusCode: 200 } });
    }
  });

  it('are text when log_format says text, even to a file', async () => {
    const text = await logsOf('text', false);
    expect(text).toContain('req-1 GET /health');
    expect(text).not.toContain('\x1b['); // no colours where no terminal reads them
  });
});
