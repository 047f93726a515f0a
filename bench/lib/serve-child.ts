// Starts `cairn models serve URI --port 0` in a child process (as a user would) and waits for its URL.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CAIRN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'cairn.js');

export interface ServeChild { url: string; output(): string; stop(): Promise<number | null> }

export function startServeChild(cwd: string, uri: string, env: Record<string, string> = {}, args: string[] = []): Promise<ServeChild> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) childEnv[k] = v;
  const child = spawn(process.execPath, [CAIRN, 'models', 'serve', uri, '--port', '0', ...args], { cwd, env: { ...childEnv, NO_COLOR: '1', ...env } });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const m = / on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve({
        url: m[1]!, output: () => output,
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done(child.exitCode);
          child.once('exit', (code) => done(code));
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`cairn models serve exited ${code}:\n${output}`)));
  });
}

/** Closed-loop throughput: `clients` keep-alive clients each sending `body` back to back for `seconds`. */
export async function saturate(url: string, body: string, clients: number, seconds: number): Promise<{ requests: number; errors: number; seconds: number }> {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const target = new URL('/invocations', url);
  const buf = Buffer.from(body);
  let requests = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = () => new Promise<void>((resolve) => {
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': buf.length } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        requests++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(buf);
  });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) await one();
  }));
  agent.destroy();
  return { requests, errors, seconds: (performance.now() - t0) / 1000 };
}
