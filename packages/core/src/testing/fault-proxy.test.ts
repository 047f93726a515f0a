import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

// A real echo server behind the proxy; each test talks to it over loopback TCP.
let echo: Server;
let received = 0;
let proxy: FaultProxy;

beforeAll(async () => {
  echo = createServer((s) => s.on('data', (d) => { received += d.length; s.write(d); }).on('error', () => {}));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  proxy = await startFaultProxy({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => echo.close(r));
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(proxy.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

const reply = (s: Socket, text: string): Promise<string> => new Promise((resolve) => {
  s.once('data', (d) => resolve(d.toString()));
  s.write(text);
});

const closed = (s: Socket): Promise<string> => new Promise((resolve) => {
  let code = '';
  s.once('error', (e: NodeJS.ErrnoException) => { code = e.code ?? ''; });
  s.once('close', () => resolve(code));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FaultProxy', () => {
  it('forwards both ways', async () => {
    const s = await open();
    expect(await reply(s, 'ping')).toBe('ping');
    s.destroy();
  });

  it('refuses new connections while keeping open ones, and listens again on the same port when healed', async () => {
    const kept = await open();
    proxy.refuse();
    await expect(open()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await reply(kept, 'still')).toBe('still');
    await proxy.heal();
    const s = await open();
    expect(await reply(s, 'back')).toBe('back');
    s.destroy();
    kept.destroy();
  });

  it('drops open connections with a reset', async () => {
    const s = await open();
    expect(await reply(s, 'x')).toBe('x');
    const gone = closed(s);
    proxy.drop();
    expect(await gone).toBe('ECONNRESET');
    expect(proxy.connections).toBe(0);
  });

  it('stalls open and new connections without closing them, and lets the bytes through when healed', async () => {
    const before = await open();
    expect(await reply(before, 'a')).toBe('a');
    proxy.stall();
    const during = await open();
    const answers = [reply(before, 'held1'), reply(during, 'held2')];
    let answered = false;
    void Promise.race(answers).then(() => { answered = true; });
    const seen = received;
    await sleep(200);
    expect(answered).toBe(false);
    expect(received).toBe(seen);
    expect(before.destroyed || during.destroyed).toBe(false);
    await proxy.heal();
    expect(await Promise.all(answers)).toEqual(['held1', 'held2']);
    before.destroy();
    during.destroy();
  });

  it("stall('open') holds only the connections open now; new ones go through", async () => {
    const old = await open();
    expect(await reply(old, 'a')).toBe('a');
    proxy.stall('open');
    const held = reply(old, 'held');
    let answered = false;
    void held.then(() => { answered = true; });
    const fresh = await open();
    expect(await reply(fresh, 'fresh')).toBe('fresh');
    expect(answered).toBe(false);
    await proxy.heal();
    expect(await held).toBe('held');
    old.destroy();
    fresh.destroy();
  });
});
