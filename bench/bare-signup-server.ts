/**
 * The baseline of the sign-up bench: a bare Fastify server doing the same in-memory lookup as
 * the API (same index, same loader, same Screener) on the same request body, with nothing else:
 * no API key, no schema, no rate limit, no metrics, no request id, no logging.
 * Started by screening.bench.ts as its own process (with --expose-gc); prints
 * "ready <port> <index load ms> <memory grown by the load> <signals> <array bytes> <orders>" once listening.
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
  // This process does nothing else, so its memory growth across the load is the index's.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  const index = await new IndexLoader(dataSource).loadAll(new Date());
  const loadMs = Math.round(performance.now() - started);
  await dataSource.destroy();
  // ArrayBuffers freed by a GC are released a little later: collect, wait, collect again.
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  gc?.();
  const after = process.memoryUsage();
  const grownBytes = gc ? after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers : -1;
  const screener = new Screener(config.signals.peppers);
  const app = Fastify({ logger: false });
  app.post('/v1/signup-checks', async (request) => {
    const body = request.body as { signals: never[] };
    const context = { defaultCountry: 'FR', today: new Date().toISOString().slice(0, 10), platform };
    const result = screener.matchSignals(index, platform, Date.now(), body.signals, context);
    return { decision: result.decision };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`ready ${new URL(address).port} ${loadMs} ${grownBytes} ${index.size} ${index.byteLength} ${index.orderCount}\n`);
}

void main();
