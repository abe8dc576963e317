/**
 * Baseline (a) of the sign-up bench, the physical limit of Node here: a bare Fastify server
 * answering a check of prehashed signals from a Set of 1,000,000 prehash digests (hex strings).
 * No API key, no schema, no HMAC, no rate limit, no metrics, no logging. Its digests are random:
 * the bench's checks are of people nobody banned, so every lookup misses, as in the API.
 * Started by screening.bench.ts as its own process; prints "ready <port>" once listening.
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';

async function main() {
  const size = Number(process.env.BENCH_SIGNALS ?? 1_000_000);
  const banned = new Set<string>();
  for (let i = 0; i < size; i++) banned.add(randomBytes(32).toString('hex'));
  const app = Fastify({ logger: false });
  app.post('/v1/signup-checks', async (request) => {
    const { signals } = request.body as { signals: { hash?: string }[] };
    const hit = signals.some((s) => s.hash !== undefined && banned.has(s.hash));
    return { decision: hit ? 'block' : 'allow' };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`ready ${new URL(address).port}\n`);
}

void main();
