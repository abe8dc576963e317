import { type AddressInfo, type Socket, createServer } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { redisReady } from '@ostracon/database';
import { OutboxRelay, directivesQueue, producerConnection } from '@ostracon/enforcement';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { daysFrom, idempotencyKey, orderBody } from './support/builders';
import { OffsetClock, RedisServer, isolatedDatabase, testConfig, waitFor } from './support/isolated';
import { startTestApp, type TestApp } from './support/test-app';

describe('outbox relay', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  const redis = new RedisServer();
  const clock = new OffsetClock();
  let api: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    db = await isolatedDatabase('relay');
    await redis.start();
    const config = testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: redis.url });
    api = await startTestApp({ config, clock });
    // Only the relays under test run here: no background relay, delivery or lifecycle.
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(config, { clock, relay: false, delivery: false, lifecycle: false }),
      { logger: ['error'] },
    );
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await redis.stop();
    await db?.drop();
  });

  it('queues each directive exactly once with four relays racing for the same rows', async () => {
    const authority = await api.client('authority');
    const pull = await api.platform('pull');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await api.request({
        method: 'POST',
        url: '/v1/orders',
        key: authority.apiKey,
        body: orderBody(pull, new Date(), { startsAt: daysFrom(new Date(), 1).toISOString() }),
        headers: { 'idempotency-key': idempotencyKey() },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // Nothing is due yet; then all 40 become due at once.
    clock.offsetMs = 2 * 86_400_000;
    const relay = worker.get(OutboxRelay);
    const connection = producerConnection(testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: redis.url }), 'test-relays');
    await redisReady(connection);
    const queue = directivesQueue(connection);
    try {
      const passes = () => Promise.all([1, 2, 3, 4].map(() => relay.relayBatch(queue, 7)));
      let claimed = 0;
      for (let round = await passes(); round.some((n) => n > 0); round = await passes()) claimed += round.reduce((a, b) => a + b, 0);
      expect(claimed).toBe(40);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const rows = await api.dataSource.query(
      `SELECT d.id, d.status, count(e.seq) AS queued FROM directives d
       LEFT JOIN audit_events e ON e.type = 'directive.queued' AND e.data->>'directiveId' = d.id::text
       WHERE d.order_id = ANY($1::uuid[]) GROUP BY d.id, d.status`,
      [ids],
    );
    expect(rows).toHaveLength(40);
    expect(rows.filter((r: { queued: string; status: string }) => Number(r.queued) !== 1 || r.status !== 'queued')).toEqual([]);
  });

  it('closes a queue whose Redis is still connecting without an uncaught error', async () => {
    // A "Redis" that resets the first connection (the client records an error) and then holds
    // the next one without answering: the queue is still waiting for Redis when it is closed.
    const sockets: Socket[] = [];
    const flaky = createServer((socket) => {
      sockets.push(socket);
      if (sockets.length === 1) socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
    try {
      const { port } = flaky.address() as AddressInfo;
      const connection = producerConnection(
        testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: `redis://127.0.0.1:${port}/0` }),
        'test-close',
      );
      connection.on('error', () => undefined);
      const queue = directivesQueue(connection);
      queue.on('error', () => undefined);
      await waitFor(() => sockets.length === 2, 'the second connection');
      expect(connection.status).not.toBe('ready');
      await queue.close();
      connection.disconnect();
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
      for (const socket of sockets) socket.destroy();
      flaky.close();
    }
  });
});
