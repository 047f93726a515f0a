import { createServer, connect, type Server, type Socket } from 'node:net';

/** What the proxy does with connections: forward them, refuse new ones, or hold everything (a hung server). */
export type FaultMode = 'forward' | 'refuse' | 'stall';

interface Link {
  client: Socket;
  upstream: Socket | null;
  /** Nothing is forwarded while held. */
  held: boolean;
}

/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can break on purpose, so
 * outages are simulated without touching the shared services:
 * - `refuse()`: the port stops listening, so new connections get ECONNREFUSED (open ones stay);
 * - `drop()`: every open connection is reset (RST), as when the server process dies;
 * - `stall()`: open and new connections stay up but nothing is forwarded either way (a hung server);
 *   `stall('open')` holds only the connections open now while new ones work (a network path lost
 *   silently: the client must notice and reconnect); `heal()` lets the held bytes flow again;
 * - `heal()`: back to forwarding (listening again after `refuse()`).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 });
 * const uri = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
 * proxy.refuse(); proxy.drop();   // the database is down
 * await proxy.heal();              // and back
 * ```
 */
export class FaultProxy {
  private mode: FaultMode = 'forward';
  private readonly links = new Set<Link>();
  private server: Server;
  private closed = false;
  /** Connections accepted since the proxy started (tests check that a client reconnected). */
  accepted = 0;

  private constructor(private readonly target: { host: string; port: number }, readonly port: number, server: Server) {
    this.server = server;
  }

  /** Starts a proxy on a free loopback port forwarding to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    let proxy: FaultProxy | null = null;
    const server = createServer((socket) => proxy?.accept(socket));
    await listen(server, 0);
    proxy = new FaultProxy(target, (server.address() as { port: number }).port, server);
    return proxy;
  }

  /** `host:port` of the proxy, for building a URI. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Open client connections. */
  get connections(): number {
    return this.links.size;
  }

  get state(): FaultMode {
    return this.mode;
  }

  /** New connections are refused (nothing listens); open ones are left alone (see `drop`). */
  refuse(): void {
    if (this.mode === 'refuse') return;
    this.mode = 'refuse';
    this.server.close();
  }

  /** Resets every open connection, both sides. */
  drop(): void {
    for (const link of [...this.links]) this.end(link, true);
  }

  /**
   * Holds connections: accepted, but no byte goes through until `heal()`. `'all'` holds the open
   * ones and every new one; `'open'` only those open now.
   */
  stall(which: 'all' | 'open' = 'all'): void {
    if (this.mode === 'refuse') throw new Error('heal() the proxy before stalling it');
    if (which === 'all') this.mode = 'stall';
    for (const link of this.links) {
      link.held = true;
      link.client.pause();
      link.upstream?.pause();
    }
  }

  /** Forwards again: listens again after `refuse()`, lets held bytes of a stall flow. */
  async heal(): Promise<void> {
    if (this.mode === 'refuse' && !this.closed) {
      const server = createServer((socket) => this.accept(socket));
      // The same port, so clients that hold the address reconnect to it.
      await listen(server, this.port);
      this.server = server;
    }
    this.mode = 'forward';
    for (const link of this.links) {
      link.held = false;
      if (!link.upstream) this.open(link);
      link.client.resume();
      link.upstream?.resume();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.mode === 'refuse' || this.closed) {
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, upstream: null, held: this.mode === 'stall' };
    this.links.add(link);
    client.on('error', () => this.end(link, true));
    client.on('close', () => this.end(link, false));
    if (link.held) client.pause();
    else this.open(link);
  }

  // Connects the link upstream and pipes both ways, pausing a side whose reader cannot keep up.
  private open(link: Link): void {
    const upstream = connect(this.target.port, this.target.host);
    link.upstream = upstream;
    upstream.on('error', () => this.end(link, true));
    upstream.on('close', () => this.end(link, false));
    forward(link.client, upstream, link);
    forward(upstream, link.client, link);
  }

  private end(link: Link, reset: boolean): void {
    if (!this.links.delete(link)) return;
    for (const s of [link.client, link.upstream]) {
      if (!s || s.destroyed) continue;
      if (reset && s.readyState !== 'opening') s.resetAndDestroy();
      else s.destroy();
    }
  }
}

/** Shorthand for {@link FaultProxy.start}. */
export const startFaultProxy = (target: { host: string; port: number }): Promise<FaultProxy> => FaultProxy.start(target);

function forward(from: Socket, to: Socket, link: Link): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (!link.held) from.resume();
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
