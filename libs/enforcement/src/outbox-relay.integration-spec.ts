import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { type INestApplicationContext } from '@nestjs/common';
import { AuditLogService } from '@ostracon/audit';
import { redisReady } from '@ostracon/database';
import {
  type LibContext,
  libContext,
  OffsetClock,
  RedisServer,
  authorityRow,
  plannedOrder,
  platformRow,
  testConfig,
  waitFor,
} from '@ostracon/test-support';
import type { Job, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DirectivePlanner } from './directive-planner';
import { EnforcementModule } from './enforcement.module';
import { EnforcementReads } from './enforcement.reads';
import { OutboxRelay } from './outbox-relay';
import { type DirectiveJob, directivesQueue, producerConnection } from './queue';

/** The outbox relay against the real PostgreSQL and Redis, the lib alone: relays racing, and a queue closed mid-connect. */
describe('outbox relay', () => {
  let lib: LibContext;
  const redis = new RedisServer();
  const clock = new OffsetClock();
  let context: INestApplicationContext;
  let dataSource: DataSource;
  const pull = `pull-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await redis.start();
    lib = await libContext('relay', { imports: [EnforcementModule], clock, redisUrl: redis.url });
    ({ context, dataSource } = lib);
    await dataSource.query(`INSERT INTO platforms (id, name) VALUES ($1, 'Pull')`, [pull]);
  });

  afterAll(async () => {
    await lib?.close();
    await redis.stop();
  });

  /** The directives a job carries: one, or a relay pass's for one platform. */
  const carried = (job: Job<DirectiveJob>) =>
    'directives' in job.data ? job.data.directives.map((d) => d.directiveId) : [job.data.directiveId];
  const jobsOf = async (queue: Queue<DirectiveJob>) => (await queue.getJobs(['waiting', 'delayed', 'active'])).flatMap(carried);

  /** Orders starting tomorrow, planned as an order's transaction plans them. */
  async function ordersStartingTomorrow(n: number): Promise<string[]> {
    const authority = await authorityRow(dataSource);
    const startsAt = new Date(Date.now() + 86_400_000);
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(await plannedOrder(dataSource, context.get(DirectivePlanner), { authority, platforms: [pull], startsAt }));
    return ids;
  }

  it('queues each directive exactly once with four relays racing for the same rows', async () => {
    const ids = await ordersStartingTomorrow(40);
    // Nothing is due yet; then all 40 become due at once.
    clock.offsetMs = 2 * 86_400_000;
    const relay = context.get(OutboxRelay);
    const connection = producerConnection(testConfig({ databaseUrl: lib.db.url, redisUrl: redis.url }), 'test-relays');
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
    // Through the lib's reads and the log: each directive queued, and audited as queued, once.
    const queued = (await context.get(EnforcementReads).forPlatform(pull, ['queued'], '00000000-0000-0000-0000-000000000000', 1000)).filter(
      (d) => ids.includes(d.orderId),
    );
    expect(queued).toHaveLength(40);
    const page = await context
      .get(AuditLogService)
      .list({ actor: `client:${randomUUID()}` }, { type: 'directive.queued', limit: 500 }, { orderIds: ids });
    expect(page.items).toHaveLength(40);
    expect(new Set(page.items.map((e) => e.data.directiveId)).size).toBe(40);
  });

  it('puts a push directive back in the outbox when Redis refuses its job: a revocation then cancels it, and it goes out once Redis is back', async () => {
    const push = await platformRow(dataSource, 'push');
    const authority = await authorityRow(dataSource);
    const planner = context.get(DirectivePlanner);
    const reads = context.get(EnforcementReads);
    const now = () => clock.now();
    const [revoked, kept] = [
      await plannedOrder(dataSource, planner, { authority, platforms: [push], startsAt: new Date(now().getTime() - 1000) }),
      await plannedOrder(dataSource, planner, { authority, platforms: [push], startsAt: new Date(now().getTime() - 1000) }),
    ];
    const relay = context.get(OutboxRelay);
    const connection = producerConnection(testConfig({ databaseUrl: lib.db.url, redisUrl: redis.url }), 'test-unqueue');
    connection.on('error', () => undefined);
    await redisReady(connection);
    const queue = directivesQueue(connection);
    queue.on('error', () => undefined);
    try {
      await redis.stop();
      await expect(relay.relayBatch(queue, 100)).rejects.toThrow();
      const status = async (orderId: string) => (await reads.directivesOf(dataSource, [orderId])).map((d) => d.status);
      expect([await status(revoked), await status(kept)]).toEqual([['pending'], ['pending']]);
      const events = await context
        .get(AuditLogService)
        .list({ actor: `client:${randomUUID()}` }, { limit: 500 }, { orderIds: [revoked] })
        .then((page) => page.items.map((e) => e.type));
      expect(events).toEqual(expect.arrayContaining(['directive.queued', 'directive.unqueued']));

      // This connection's part is done: it saw Redis refuse the jobs.
      await queue.close().catch(() => undefined);
      connection.disconnect();

      // Revoked during the outage: the platform never hears of it.
      const ended = await dataSource.transaction((em) => planner.planLifts(em, revoked, now(), 'system:test'));
      expect(ended).toEqual({ cancelled: [push], lifting: [] });

      await redis.start();
      // A relay's connection comes back by itself (test/resilience.e2e-spec.ts); here a fresh one keeps the test short.
      const again = producerConnection(testConfig({ databaseUrl: lib.db.url, redisUrl: redis.url }), 'test-requeue');
      await redisReady(again);
      const requeue = directivesQueue(again);
      try {
        expect(await relay.relayBatch(requeue, 100)).toBeGreaterThanOrEqual(1);
        expect(await status(kept)).toEqual(['queued']);
        expect(await status(revoked)).toEqual(['cancelled']);
        const [directive] = await reads.directivesOf(dataSource, [kept]);
        expect(await jobsOf(requeue)).toContain(directive!.id);
      } finally {
        await requeue.close();
        again.disconnect();
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('finds a lost job behind a page of directives whose jobs are alive, by going on from where the last sweep stopped', async () => {
    const push = await platformRow(dataSource, 'push');
    const authority = await authorityRow(dataSource);
    const planner = context.get(DirectivePlanner);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await plannedOrder(dataSource, planner, { authority, platforms: [push], startsAt: new Date(clock.now().getTime() - 1000) }));
    const connection = producerConnection(testConfig({ databaseUrl: lib.db.url, redisUrl: redis.url }), 'test-lost');
    await redisReady(connection);
    const queue = directivesQueue(connection);
    const relay = context.get(OutboxRelay);
    try {
      // One pass each: a job of its own each.
      for (let i = 0; i < 3; i++) await relay.relayBatch(queue, 1);
      const reads = context.get(EnforcementReads);
      const [lost] = await reads.directivesOf(dataSource, [ids[2]!]);
      const job = (await queue.getJobs(['waiting', 'delayed'])).find((j) => carried(j).includes(lost!.id))!;
      await job.remove(); // Redis lost this one; the others' jobs are alive.
      // Everything queued counts as stale here; two at a time, oldest first.
      const found: number[] = [];
      for (let sweep = 0; sweep < 4 && !found.some((n) => n > 0); sweep++) found.push(await relay.requeueLost(queue, -60_000, 2));
      expect(found.some((n) => n === 1)).toBe(true);
      expect(await jobsOf(queue)).toContain(lost!.id);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it("hands a pass's directives for one platform to one job, which the sweep finds alive, and re-creates a job for each once it is lost", async () => {
    const push = await platformRow(dataSource, 'push');
    const authority = await authorityRow(dataSource);
    const planner = context.get(DirectivePlanner);
    const orders: string[] = [];
    for (let i = 0; i < 3; i++)
      orders.push(
        await plannedOrder(dataSource, planner, { authority, platforms: [push], startsAt: new Date(clock.now().getTime() - 1000) }),
      );
    const connection = producerConnection(testConfig({ databaseUrl: lib.db.url, redisUrl: redis.url }), 'test-batch');
    await redisReady(connection);
    const queue = directivesQueue(connection);
    const relay = context.get(OutboxRelay);
    try {
      await relay.relayBatch(queue, 100);
      const ids = (await context.get(EnforcementReads).directivesOf(dataSource, orders)).map((d) => d.id);
      const mine = (await queue.getJobs(['waiting'])).filter((j) => carried(j).some((id) => ids.includes(id)));
      expect(mine.map((j) => [j.name, carried(j).sort()])).toEqual([['deliver-batch', [...ids].sort()]]);
      // Everything queued counts as stale here: the pass's job is alive, so nothing is re-created.
      expect(await relay.requeueLost(queue, -60_000)).toBe(0);
      await mine[0]!.remove(); // Redis lost it.
      expect(await relay.requeueLost(queue, -60_000)).toBeGreaterThanOrEqual(3);
      const again = (await queue.getJobs(['waiting', 'delayed'])).filter((j) => carried(j).some((id) => ids.includes(id)));
      expect(again.map((j) => [j.name, carried(j)]).sort()).toEqual(ids.map((id) => ['deliver', [id]]).sort());
    } finally {
      await queue.close();
      connection.disconnect();
    }
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
        testConfig({ databaseUrl: lib.db.url, ownerUrl: lib.db.ownerUrl, redisUrl: `redis://127.0.0.1:${port}/0` }),
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
