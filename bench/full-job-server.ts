/**
 * Baseline (a″) of the sign-up bench: the simplest program that does the whole job of a prehashed
 * check as issue 31 says it must be done, written plainly on `node:http`, owing nothing to the
 * API's code. Beside a′ (bench/bare-set-server.ts, `node:http` + `Set`: the limit of Node here),
 * it says what the job's own work costs, so that the API's distance to a′ splits into the job's
 * share and the API's own (docs/performance.md § "Issue 31 §1: the job's own cost").
 *
 * Each request: the API key's SHA-256 looked up among the platform keys (authentication); a token
 * from the key's bucket, the tokens spent reported to Redis once a second (a rate limit shared by
 * every process); the body parsed and checked strictly (only `signals`, 1 to 20 of them, each a
 * known type and 64 lowercase hex digits, nothing else); each prehash peppered with HMAC-SHA256
 * and looked up in a Set of 1,000,000 peppered digests; the decision counted and the duration
 * observed in prom-client metrics; a request id; the RateLimit headers. Its digests are random:
 * the bench's checks are of people nobody banned, so every lookup misses, as in the API (no match
 * to record).
 *
 * Started by screening.bench.ts as its own process with BENCH_KEY (the platform's API key);
 * prints "ready <port>" once listening.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Counter, Histogram, Registry } from 'prom-client';

const TYPES = new Set(['email', 'phone', 'name_dob', 'device']);
const HEX64 = /^[0-9a-f]{64}$/;
const RATE = 10_000_000;
const BURST = 100_000_000;

async function main() {
  const size = Number(process.env.BENCH_SIGNALS ?? 1_000_000);
  const pepper = randomBytes(32);
  const banned = new Set<string>();
  for (let i = 0; i < size; i++) banned.add(randomBytes(32).toString('base64'));
  const keys = new Map([
    [
      createHash('sha256')
        .update(process.env.BENCH_KEY ?? 'none')
        .digest('hex'),
      { platform: 'bench-a' },
    ],
  ]);

  const registry = new Registry();
  const decisions = new Counter({ name: 'checks_total', help: 'checks', labelNames: ['platform', 'decision'], registers: [registry] });
  const duration = new Histogram({ name: 'http_seconds', help: 'duration', labelNames: ['route', 'status'], registers: [registry] });

  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const bucket = { tokens: BURST, at: Date.now(), spent: 0 };
  setInterval(() => {
    if (bucket.spent === 0) return;
    void redis.incrby('full-job:spent:bench-a', bucket.spent).catch(() => undefined);
    bucket.spent = 0;
  }, 1000).unref();
  const take = (): boolean => {
    const now = Date.now();
    bucket.tokens = Math.min(BURST, bucket.tokens + (now - bucket.at) * (RATE / 1000));
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    bucket.spent += 1;
    return true;
  };

  const answer = (res: ServerResponse, status: number, body: string, id: string, started: number) => {
    res.writeHead(status, {
      'content-type': status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': id,
      ratelimit: `limit=${BURST}, remaining=${Math.floor(bucket.tokens)}, reset=1`,
    });
    res.end(body);
    duration.labels('/v1/signup-checks', String(status)).observe((performance.now() - started) / 1000);
  };
  const problem = (status: number, code: string) => JSON.stringify({ type: 'about:blank', status, code });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const id = randomUUID();
    const auth = req.headers.authorization ?? '';
    const client = auth.startsWith('Bearer ') ? keys.get(createHash('sha256').update(auth.slice(7)).digest('hex')) : undefined;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!client) return answer(res, 401, problem(401, 'AUTH.UNAUTHENTICATED'), id, started);
      if (!take()) return answer(res, 429, problem(429, 'RATE_LIMITED'), id, started);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, problem(400, 'VALIDATION.FAILED'), id, started);
      }
      const signals = valid(body);
      if (!signals) return answer(res, 400, problem(400, 'VALIDATION.FAILED'), id, started);
      let blocked = false;
      for (const s of signals) {
        if (banned.has(createHmac('sha256', pepper).update(Buffer.from(s.hash, 'hex')).digest('base64'))) blocked = true;
      }
      const decision = blocked ? 'block' : 'allow';
      decisions.labels(client.platform, decision).inc();
      answer(res, 200, JSON.stringify({ decision }), id, started);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`));
}

/** The body's signals when it is exactly `{ signals: [{ type, hash }, …] }` within the limits, else undefined. */
function valid(body: unknown): { type: string; hash: string }[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'signals') return undefined;
  const signals = (body as { signals: unknown }).signals;
  if (!Array.isArray(signals) || signals.length < 1 || signals.length > 20) return undefined;
  for (const s of signals as unknown[]) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined;
    const fields = Object.keys(s);
    const { type, hash } = s as { type: unknown; hash: unknown };
    if (fields.length !== 2 || typeof type !== 'string' || !TYPES.has(type) || typeof hash !== 'string' || !HEX64.test(hash))
      return undefined;
  }
  return signals as { type: string; hash: string }[];
}

void main();
