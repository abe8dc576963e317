import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CreatedClient } from '@ostracon/auth';
import type { Clock } from '@ostracon/common';
import type { AppConfig } from '@ostracon/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import type { WorkerOptions } from '../../apps/worker/src/worker-options';
import { isolatedDatabase, testConfig } from './isolated';
import { RedisServer } from './redis-server';
import { SimulatedPlatform } from './simulated-platform';
import { startTestApp, submitOrder, type TestApp, type TestResponse } from './test-app';

/**
 * One world for the tests that run the service as it runs for real: a database and a Redis of
 * its own (the worker acts on every row it can see, and a test may stop Redis), the API, an
 * authority, simulated platforms, and the worker in this process when asked.
 */
export interface World {
  db: Awaited<ReturnType<typeof isolatedDatabase>>;
  redis: RedisServer;
  config: AppConfig;
  api: TestApp;
  authority: CreatedClient;
  /** The worker, when the world was started with one. */
  worker?: INestApplicationContext;
  /** A push platform on a simulated webhook receiver (a real HTTP server that verifies signatures). */
  pushPlatform(sim?: SimulatedPlatform, slaHours?: number): Promise<{ id: string; sim: SimulatedPlatform }>;
  /** POST /v1/orders as the world's authority, with a fresh Idempotency-Key. */
  submit(body: unknown): Promise<TestResponse>;
  close(): Promise<void>;
}

export async function startWorld(
  label: string,
  options: { worker?: false | WorkerOptions; clock?: Clock; config?: (config: AppConfig) => AppConfig } = {},
): Promise<World> {
  const db = await isolatedDatabase(label);
  const redis = new RedisServer();
  await redis.start();
  const base = testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: redis.url });
  const config = options.config ? options.config(base) : base;
  const api = await startTestApp({ config, clock: options.clock });
  const worker =
    options.worker === false || options.worker === undefined
      ? undefined
      : await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { clock: options.clock, ...options.worker }), {
          logger: ['error'],
        });
  const authority = await api.client('authority');
  const sims: SimulatedPlatform[] = [];
  return {
    db,
    redis,
    config,
    api,
    authority,
    worker,
    pushPlatform: async (sim = new SimulatedPlatform(), slaHours = 48) => {
      sims.push(sim);
      await sim.start();
      const id = await api.platform('push', { webhookUrl: sim.url, webhookSecret: sim.secret, slaHours });
      return { id, sim };
    },
    submit: (body) => submitOrder(api, authority.apiKey, body),
    close: async () => {
      await worker?.close();
      await api.close();
      for (const sim of sims) await sim.stop();
      await redis.stop();
      await db.drop();
    },
  };
}
