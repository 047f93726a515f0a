// An open-loop HTTP load generator, run as its own process so it shares no event loop (and no heap
// or GC pauses) with the server or the benchmark driver. Requests go out on a fixed schedule
// whatever the responses do (wrk2-style: no coordinated omission), and each latency is counted from
// the request's scheduled time, so the generator's own lateness counts against the figure rather
// than hiding a slow server. A worker thread keeps the schedule (Atomics.wait sleeps to the
// sub-millisecond; setTimeout would add up to a millisecond of lateness); the main thread only
// writes pre-encoded requests and parses status lines and Content-Length on keep-alive sockets.
//
// Argument: JSON {url, path, body, rps, seconds, connections}. Prints one JSON line:
// {p50, p99, p999, max, errors, sent, completed, connections, lateP99} (milliseconds).
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

interface LoadSpec { url: string; path: string; body: string; rps: number; seconds: number; connections: number }

// The clock: posts the index of each request when it is due (absolute times, shared origin). Plain
// JavaScript, evaluated in the worker (workers do not inherit tsx).
const CLOCK = `
const { parentPort, workerData } = require('node:worker_threads');
const { startAbs, interval, total } = workerData;
const cell = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < total; i++) {
  const wait = startAbs + i * interval - (performance.timeOrigin + performance.now());
  if (wait > 0.02) Atomics.wait(cell, 0, 0, wait);
  parentPort.postMessage(i);
}`;

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const url = new URL(spec.path, spec.url);
const body = Buffer.from(spec.body);
const request = Buffer.concat([Buffer.from(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
const total = Math.round(spec.rps * spec.seconds);
const interval = 1000 / spec.rps;
// Requests still unanswered at the end count as infinitely slow.
const latencies = new Float64Array(total).fill(Infinity);
const lateness = new Float64Array(total);
let completed = 0;
let errors = 0;
/** Answers other than 200, by status (0: the connection failed). */
const failures: Record<number, number> = {};
let opened = 0;

class Connection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: number[] = [];
  private bodyLeft = -1;
  private status = 0;
  closed = false;
  /** When the last answer came (a connection is idle from then until its next request). */
  idleSince = 0;
  ready: Promise<void>;

  constructor(private readonly onIdle: (c: Connection) => void) {
    opened++;
    this.idleSince = performance.now();
    this.socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', () => {});
    // A connection the server closed with requests unanswered: those failed (status 0), now.
    this.socket.on('close', () => {
      this.closed = true;
      for (const i of this.pending) {
        latencies[i] = performance.now() - (start + i * interval);
        errors++;
        completed++;
        failures[0] = (failures[0] ?? 0) + 1;
      }
      this.pending = [];
      if (total > 0 && completed === total) finish();
    });
  }

  send(i: number, due: number): void {
    this.pending.push(i);
    lateness[i] = performance.now() - due;
    this.socket.write(request);
  }

  private onData(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    for (;;) {
      if (this.bodyLeft < 0) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buffer.subarray(0, end).toString('latin1');
        this.status = Number(head.slice(9, 12));
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (!m) throw new Error(`response without Content-Length:\n${head}`);
        this.bodyLeft = Number(m[1]);
        this.buffer = this.buffer.subarray(end + 4);
      }
      if (this.buffer.length < this.bodyLeft) return;
      this.buffer = this.buffer.subarray(this.bodyLeft);
      this.bodyLeft = -1;
      const i = this.pending.shift()!;
      latencies[i] = performance.now() - (start + i * interval);
      if (this.status !== 200) {
        errors++;
        failures[this.status] = (failures[this.status] ?? 0) + 1;
      }
      completed++;
      if (!this.pending.length) {
        this.idleSince = performance.now();
        this.onIdle(this);
      }
      if (completed === total) finish();
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const all: Connection[] = [];
const idle: Connection[] = [];
// Like any keep-alive client, a connection idle for most of the server's keep-alive timeout (72 s
// for Cairn; the shortest common one is 60 s) is retired rather than reused: the server may close
// it as the request is written. One the server closed is never used again.
const MAX_IDLE_MS = 50_000;
function takeIdle(): Connection | undefined {
  for (let c = idle.pop(); c; c = idle.pop()) {
    if (c.closed) continue;
    if (performance.now() - c.idleSince > MAX_IDLE_MS) {
      c.close();
      continue;
    }
    return c;
  }
  return undefined;
}
const open = () => {
  const c = new Connection((x) => idle.push(x));
  all.push(c);
  return c;
};
for (let i = 0; i < spec.connections; i++) idle.push(open());
await Promise.all(all.map((c) => c.ready));

const start = performance.now() + 50;
const clock = new Worker(CLOCK, { eval: true, workerData: { startAbs: performance.timeOrigin + start, interval, total } });
let sent = 0;
// At the deadline, requests still unanswered failed (status -1); ticks the clock never sent are reported apart.
const deadline = setTimeout(() => {
  errors += sent - completed;
  if (sent > completed) failures[-1] = sent - completed;
  finish();
}, spec.seconds * 1000 + 30_000);
clock.on('message', (i: number) => {
  sent++;
  // No idle connection: open another rather than wait, so the schedule never depends on responses.
  const c = takeIdle() ?? open();
  c.send(i, start + i * interval);
});

function finish(): void {
  clearTimeout(deadline);
  void clock.terminate();
  for (const c of all) c.close();
  const sorted = Float64Array.from(latencies).sort();
  const late = Float64Array.from(lateness).sort();
  const pct = (a: Float64Array, p: number) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]!;
  console.log(JSON.stringify({
    p50: pct(sorted, 50), p99: pct(sorted, 99), p999: pct(sorted, 99.9), max: sorted[sorted.length - 1], errors, failures, sent, unsent: total - sent, completed, connections: opened, lateP99: pct(late, 99),
  }));
  process.exit(0);
}
