/**
 * Baseline (a) of the sign-up bench, the limit of Node here: a bare server answering a check of
 * prehashed signals from a Set of 1,000,000 prehash digests (hex strings). No API key, no schema,
 * no HMAC, no rate limit, no metrics, no logging. Its digests are random: the bench's checks are
 * of people nobody banned, so every lookup misses, as in the API.
 * - BENCH_SERVER=fastify (default): bare Fastify, as issue 14 defines (a);
 * - BENCH_SERVER=node: node:http alone, reading the body and writing the answer itself, as the
 *   API's hot path does (docs/decisions/0009): once the API answered ahead of Fastify, bare
 *   Fastify was no longer the limit, and this is.
 * Started by screening.bench.ts as its own process; prints "ready <port>" once listening.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

type Check = { signals: { hash?: string }[] };

async function main() {
  const size = Number(process.env.BENCH_SIGNALS ?? 1_000_000);
  const banned = new Set<string>();
  for (let i = 0; i < size; i++) banned.add(randomBytes(32).toString('hex'));
  const decide = ({ signals }: Check) => ({
    decision: signals.some((s) => s.hash !== undefined && banned.has(s.hash)) ? 'block' : 'allow',
  });

  if (process.env.BENCH_SERVER === 'node') {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.stringify(decide(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Check));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`));
    return;
  }
  const app = Fastify({ logger: false });
  app.post('/v1/signup-checks', async (request) => decide(request.body as Check));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`ready ${new URL(address).port}\n`);
}

void main();
