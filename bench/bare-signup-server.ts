/**
 * The baseline of the sign-up bench: a bare Fastify server doing the same in-memory lookup as
 * the API (same index, same loader, same Screener) on the same request body, with nothing else:
 * no API key, no schema, no rate limit, no metrics, no request id, no logging.
 * Started by screening.bench.ts as its own process; prints "ready <port>" once listening.
 */
import 'reflect-metadata';
import { loadConfig } from '@ostracon/config';
import { IndexLoader, Screener } from '@ostracon/screening';
import Fastify from 'fastify';
import { DataSource } from 'typeorm';

async function main() {
  const config = loadConfig();
  const platform = process.env.BENCH_PLATFORM ?? 'bench-a';
  const dataSource = await new DataSource({ type: 'postgres', url: config.database.url }).initialize();
  const index = await new IndexLoader(dataSource).loadAll(new Date());
  await dataSource.destroy();
  const screener = new Screener(config.signals.peppers);
  const app = Fastify({ logger: false });
  app.post('/v1/signup-checks', async (request) => {
    const body = request.body as { signals: never[] };
    const context = { defaultCountry: 'FR', today: new Date().toISOString().slice(0, 10), platform };
    const result = screener.check(index, platform, Date.now(), body.signals, context);
    return { decision: result.decision };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`ready ${new URL(address).port}\n`);
}

void main();
