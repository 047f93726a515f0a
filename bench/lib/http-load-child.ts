// An open-loop HTTP load generator, run as its own process so it shares no event loop (and no heap
// or GC pauses) with the server or the benchmark driver. Requests go out on a fixed schedule
// whatever the responses do (wrk2-style: no coordinated omission), and each latency is counted from
// the request's scheduled time, so the generator's own lateness counts against the figure rather
// than hiding a slow server.
//
// Two threads, one hop each way. A worker thread keeps the schedule and writes each pre-encoded
// request straight to a keep-alive socket's file descriptor when it is due (Atomics.wait sleeps to
// the sub-millisecond, where setTimeout would add up to a millisecond; writing from the clock
// thread saves a wake-up of a second thread per request, which on a small virtual machine costs
// as much as the server's work). The main thread owns the sockets and reads the answers (status
// line and Content-Length). Which request went out on which socket is told through shared memory:
// one ring of request indices per connection, written by the clock, read by the reader.
//
// Argument: JSON {url, path, body, rps, seconds, connections}. Prints one JSON line:
// {p50, p99, p999, max, errors, failures, sent, unsent, completed, connections, lateP99} (milliseconds).
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

interface LoadSpec { url: string; path: string; body: string; rps: number; seconds: number; connections: number }

/** Requests one connection may have in flight (beyond one, they are pipelined: the server stalled). */
const RING = 1024;

// The clock. Plain JavaScript, evaluated in the worker (workers do not inherit tsx). It prefers an
// idle connection, taking them in turn so that none sits idle long enough for the server's
// keep-alive timeout; with none idle it pipelines on the least busy one rather than wait, so the
// schedule never depends on the answers.
const CLOCK = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { startAbs, interval, total, fds, ring, request, shared } = workerData;
const head = new Int32Array(shared.head), tail = new Int32Array(shared.tail), closed = new Int32Array(shared.closed);
const slots = new Int32Array(shared.slots), late = new Float64Array(shared.late);
const cell = new Int32Array(new SharedArrayBuffer(4));
const n = fds.length;
let turn = 0, sent = 0;
for (let i = 0; i < total; i++) {
  const due = startAbs + i * interval;
  const wait = due - (performance.timeOrigin + performance.now());
  if (wait > 0.02) Atomics.wait(cell, 0, 0, wait);
  let c = -1, least = ring;
  for (let k = 0; k < n; k++) {
    const x = (turn + k) % n;
    if (Atomics.load(closed, x)) continue;
    const busy = Atomics.load(head, x) - Atomics.load(tail, x);
    if (busy < least) { c = x; least = busy; if (!busy) break; }
  }
  turn = (turn + 1) % n;
  late[i] = performance.timeOrigin + performance.now() - due;
  if (c < 0) continue; // every connection closed or full: never sent (reported as unsent)
  const h = Atomics.load(head, c);
  Atomics.store(slots, c * ring + (h % ring), i);
  Atomics.store(head, c, h + 1);
  sent++;
  for (let off = 0; off < request.length;) {
    try { off += writeSync(fds[c], request, off); }
    catch (e) { if (e.code !== 'EAGAIN') break; } // a failed socket: its reader fails the request
  }
}
parentPort.postMessage(sent);`;

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const url = new URL(spec.path, spec.url);
const body = Buffer.from(spec.body);
const request = Buffer.concat([Buffer.from(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
const total = Math.round(spec.rps * spec.seconds);
const interval = 1000 / spec.rps;
const count = spec.connections;
const shared = {
  head: new SharedArrayBuffer(4 * count), tail: new SharedArrayBuffer(4 * count), closed: new SharedArrayBuffer(4 * count),
  slots: new SharedArrayBuffer(4 * count * RING), late: new SharedArrayBuffer(8 * total),
};
const head = new Int32Array(shared.head);
const tail = new Int32Array(shared.tail);
const closed = new Int32Array(shared.closed);
const slots = new Int32Array(shared.slots);
// Requests still unanswered at the end count as infinitely slow.
const latencies = new Float64Array(total).fill(Infinity);
let completed = 0;
let errors = 0;
/** Answers other than 200, by status (0: the connection closed with the request unanswered). */
const failures: Record<number, number> = {};
let sent = -1;

class Connection {
  readonly socket: Socket;
  readonly fd: Promise<number>;
  private buffer: Buffer = Buffer.alloc(0);
  private bodyLeft = -1;
  private status = 0;

  constructor(private readonly c: number) {
    // Half-open allowed: when the server ends the connection, its descriptor stays ours (the clock
    // may still hold its number) until the end of the run.
    this.socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true, allowHalfOpen: true });
    this.fd = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve((this.socket as unknown as { _handle: { fd: number } })._handle.fd));
      this.socket.once('error', reject);
    });
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', () => this.fail());
    this.socket.on('end', () => this.fail());
    this.socket.on('close', () => this.fail());
  }

  private next(): number {
    const t = Atomics.load(tail, this.c);
    const i = Atomics.load(slots, this.c * RING + (t % RING));
    Atomics.store(tail, this.c, t + 1);
    return i;
  }

  /** The server closed the connection: its requests in flight failed, now; the clock skips it. */
  private fail(): void {
    Atomics.store(closed, this.c, 1);
    while (Atomics.load(tail, this.c) < Atomics.load(head, this.c)) {
      const i = this.next();
      latencies[i] = performance.now() - (start + i * interval);
      errors++;
      completed++;
      failures[0] = (failures[0] ?? 0) + 1;
    }
    check();
  }

  private onData(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    for (;;) {
      if (this.bodyLeft < 0) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headText = this.buffer.subarray(0, end).toString('latin1');
        this.status = Number(headText.slice(9, 12));
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
        if (!m) throw new Error(`response without Content-Length:\n${headText}`);
        this.bodyLeft = Number(m[1]);
        this.buffer = this.buffer.subarray(end + 4);
      }
      if (this.buffer.length < this.bodyLeft) return;
      this.buffer = this.buffer.subarray(this.bodyLeft);
      this.bodyLeft = -1;
      const i = this.next();
      latencies[i] = performance.now() - (start + i * interval);
      if (this.status !== 200) {
        errors++;
        failures[this.status] = (failures[this.status] ?? 0) + 1;
      }
      completed++;
      check();
    }
  }
}

const conns = Array.from({ length: count }, (_, c) => new Connection(c));
const fds = await Promise.all(conns.map((c) => c.fd));

const start = performance.now() + 50;
const clock = new Worker(CLOCK, { eval: true, workerData: { startAbs: performance.timeOrigin + start, interval, total, fds, ring: RING, request, shared } });
clock.on('message', (n: number) => {
  sent = n;
  check();
});
// At the deadline, requests still unanswered failed (status -1).
const deadline = setTimeout(() => finish(), spec.seconds * 1000 + 30_000);

function check(): void {
  if (sent >= 0 && completed >= sent) finish();
}

function finish(): void {
  clearTimeout(deadline);
  void clock.terminate();
  const sentNow = sent >= 0 ? sent : Array.from(head).reduce((a, b) => a + b, 0);
  if (sentNow > completed) {
    failures[-1] = sentNow - completed;
    errors += sentNow - completed;
  }
  for (const c of conns) c.socket.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const late = Float64Array.from(new Float64Array(shared.late)).sort();
  const pct = (a: Float64Array, p: number) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]!;
  console.log(JSON.stringify({
    p50: pct(sorted, 50), p99: pct(sorted, 99), p999: pct(sorted, 99.9), max: sorted[sorted.length - 1], errors, failures, sent: sentNow, unsent: total - sentNow, completed, connections: count, lateP99: pct(late, 99),
  }));
  process.exit(0);
}
