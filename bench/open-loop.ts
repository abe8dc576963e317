/**
 * An open-loop load generator for latency at a fixed offered load: requests are due at a
 * constant rate whatever the answers do, and each one's latency is counted from the moment it was
 * due, not from when a connection was free to send it (so a stalled server cannot hide its stall
 * by slowing the generator down: "coordinated omission"). autocannon's `overallRate` paces each
 * connection on its own timer instead: the 50 timers fire together, and its latencies are those
 * bursts' queues (p50 of 2–3 ms for a server that answers in 0.1 ms) plus its own process's
 * pauses, for either server alike.
 *
 * Keep-alive connections, each with one request in flight, used in turn (so that none idles into
 * the server's keep-alive timeout); the same request bytes each time;
 * answers read just enough to find their end (Content-Length). Run as its own process by
 * screening.bench.ts: `node open-loop.js '<json options>'`; prints one JSON line of results.
 */
import { type Socket, connect } from 'node:net';

interface Options {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Requests a second. */
  rate: number;
  /** Seconds measured, after `warmSeconds` at the same rate that are not. */
  seconds: number;
  warmSeconds: number;
  connections: number;
}

const options = JSON.parse(process.argv[2]!) as Options;
const url = new URL(options.url);
const request = Buffer.from(
  `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(options.body)}\r\n` +
    Object.entries(options.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    `\r\n${options.body}`,
);

const interval = 1000 / options.rate;
const warm = Math.round(options.warmSeconds * options.rate);
const total = warm + Math.round(options.seconds * options.rate);
const latencies = new Float64Array(total).fill(-1); // -1: not answered
let start = 0;
let due = 0; // requests that have come due
let sent = 0; // of those, sent (the rest wait for a free connection, their clock running)
let completed = 0;
let closing = false;
let failed = 0;
const idle: Connection[] = [];

class Connection {
  private readonly socket: Socket;
  private pending: Buffer[] = [];
  private index = -1;

  constructor(port: number, host: string, ready: () => void) {
    this.socket = connect(port, host, ready);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const lost = (reason: string) => {
      if (closing) return;
      console.error(`open-loop: a connection was lost (${reason}); the run is void`);
      process.exit(1);
    };
    this.socket.on('error', (error) => lost(error.message));
    this.socket.on('end', () => lost('closed by the server'));
  }

  send(index: number): void {
    this.index = index;
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    const data = this.pending.length === 1 ? chunk : Buffer.concat(this.pending);
    const headerEnd = data.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = data.subarray(0, headerEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
    if (!(data.length >= headerEnd + 4 + length)) {
      this.pending = [data];
      return;
    }
    this.pending = [];
    if (!head.startsWith('HTTP/1.1 200')) failed++;
    latencies[this.index] = performance.now() - (start + this.index * interval);
    completed++;
    if (sent < due) this.send(sent++);
    else idle.push(this);
  }
}

function tick(): void {
  const now = performance.now();
  while (due < total && start + due * interval <= now) due++;
  while (sent < due && idle.length > 0) idle.shift()!.send(sent++);
  if (due < total) setTimeout(tick, 0);
}

function finish(connections: Connection[]): void {
  const measured = Array.from(latencies.subarray(warm)).filter((ms) => ms >= 0);
  const unanswered = total - warm - measured.length;
  measured.sort((a, b) => a - b);
  const at = (p: number) => +measured[Math.min(measured.length - 1, Math.floor((p / 100) * measured.length))]!.toFixed(2);
  process.stdout.write(
    `${JSON.stringify({
      offeredPerSec: options.rate,
      answeredPerSec: Math.round(measured.length / options.seconds),
      requests: measured.length,
      failed,
      unanswered,
      p50Ms: at(50),
      p90Ms: at(90),
      p99Ms: at(99),
      maxMs: +measured[measured.length - 1]!.toFixed(2),
    })}\n`,
  );
  closing = true;
  for (const c of connections) c.close();
}

function main(): void {
  const connections: Connection[] = [];
  let open = 0;
  for (let i = 0; i < options.connections; i++) {
    const c = new Connection(Number(url.port), url.hostname, () => {
      idle.push(c);
      if (++open === options.connections) {
        start = performance.now();
        tick();
      }
    });
    connections.push(c);
  }
  // Every request answered, or 30 s past the run's planned end: it is over.
  const deadline = Date.now() + (options.warmSeconds + options.seconds + 30) * 1000;
  const wait = setInterval(() => {
    if (completed === total || (due === total && Date.now() > deadline)) {
      clearInterval(wait);
      finish(connections);
    }
  }, 50);
}

main();
