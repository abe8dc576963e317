import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { EnforcementReads } from '@ostracon/enforcement';
import { orderBody } from './support/builders';
import { waitFor } from './support/isolated';
import { startWorld } from './support/world';

/** A world of its own (database, Redis, API) with one simulated push platform; a worker in this process if asked. */
async function stack(label: string, withWorker = false) {
  const world = await startWorld(label, { worker: withWorker ? {} : false });
  const { id: platform, sim } = await world.pushPlatform();
  return { ...world, sim, platform };
}

type Stack = Awaited<ReturnType<typeof stack>>;

async function submit(s: Stack): Promise<string> {
  const res = await s.submit(orderBody(s.platform));
  expect(res.status).toBe(201);
  return res.body.id;
}

/** The stack with a worker of its own, for one describe block. */
function stackWithWorker(label: string): () => Awaited<ReturnType<typeof stack>> {
  let s: Stack;
  beforeAll(async () => {
    s = await stack(label, true);
  });
  afterAll(() => s?.close());
  return () => s;
}

/** Each directive delivered, and the log says so once, with the order activated once: through the store and the API. */
async function deliveredOnce(s: Stack, orderIds: string[]): Promise<void> {
  const directives = await s.api.app.get(EnforcementReads).directivesOf(s.api.dataSource, orderIds);
  expect(directives.map((d) => d.status)).toEqual(orderIds.map(() => 'delivered'));
  for (const orderId of orderIds) {
    const events: { type: string }[] = (
      await s.api.request({ method: 'GET', url: `/v1/audit/events?orderId=${orderId}&limit=500`, key: s.authority.apiKey })
    ).body.items;
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect({ delivered: count('directive.delivered'), activations: count('order.activated') }).toEqual({ delivered: 1, activations: 1 });
  }
}

const allDelivered = (s: Stack, orderIds: string[]) => async () => {
  const directives = await s.api.app.get(EnforcementReads).directivesOf(s.api.dataSource, orderIds);
  return directives.length === orderIds.length && directives.every((d) => d.status === 'delivered');
};

describe('nothing lost: Redis down', () => {
  const stackOf = stackWithWorker('redis');
  let s: Stack;
  beforeAll(() => {
    s = stackOf();
  });

  it('accepts orders while Redis is down, and delivers every directive once it is back', async () => {
    await s.redis.stop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit(s));
    await new Promise((r) => setTimeout(r, 800));
    expect(s.sim.received.filter((r) => ids.includes(r.body.orderId))).toHaveLength(0);
    await s.redis.start();
    await waitFor(allDelivered(s, ids), 'every directive delivered after Redis came back', 30_000);
    await deliveredOnce(s, ids);
  });
});

describe('nothing lost: the worker killed with SIGKILL mid-delivery', () => {
  let s: Stack;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    s = await stack('kill');
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await s.close();
  });

  const startWorker = () => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'worker', 'src', 'main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: s.config.database.url,
        REDIS_URL: s.config.redis.url,
        LOG_LEVEL: 'warn',
        RELAY_SWEEP_MS: '200',
        QUEUE_LOCK_MS: '2000',
        DELIVERY_CONCURRENCY: '4',
        LIFECYCLE_INTERVAL_MS: '200',
      },
      stdio: 'ignore',
    });
    workers.push(child);
    return child;
  };

  it('delivers every directive afterwards, and changes no state twice', async () => {
    s.sim.delayMs = 150; // a slow platform: deliveries are in flight when the worker dies
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await submit(s));
    const first = startWorker();
    await waitFor(() => s.sim.received.length >= 5, 'some deliveries', 30_000);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const deliveredBefore = s.sim.received.length;
    expect(deliveredBefore).toBeLessThan(30);
    startWorker();
    await waitFor(allDelivered(s, ids), 'every directive delivered by the second worker', 60_000);
    await deliveredOnce(s, ids);
    // The platform saw every directive; a repeat (killed between its 2xx and our record) has the same webhook-id.
    const byDirective = new Map<string, Set<string>>();
    for (const r of s.sim.received) byDirective.set(r.body.id, (byDirective.get(r.body.id) ?? new Set()).add(r.webhookId));
    expect(byDirective.size).toBe(30);
    for (const ids of byDirective.values()) expect(ids.size).toBe(1);
  });
});

describe('nothing lost: Redis FLUSHALL', () => {
  const stackOf = stackWithWorker('flush');
  let s: Stack;
  beforeAll(() => {
    s = stackOf();
  });

  it('re-creates the lost jobs from PostgreSQL and delivers every directive once', async () => {
    // The platform is down: jobs wait in Redis between retries when the flush wipes them.
    s.sim.always({ status: 503 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await submit(s));
    await waitFor(() => s.sim.requests >= 3, 'first delivery attempts (then the breaker opens)', 20_000);
    // Every directive relayed and its job in Redis before the flush (a relay adds jobs just after its commit).
    const jobs = async () => (await s.redis.command('KEYS', 'bull:directives:outbox-*')).split('\n').filter((k) => /outbox-\d+$/.test(k));
    await waitFor(async () => (await jobs()).length === 10, 'the ten jobs in Redis', 20_000);
    await s.redis.command('FLUSHALL');
    expect(await s.redis.command('KEYS', '*')).toBe('\n');
    s.sim.always({ status: 200 });
    await waitFor(allDelivered(s, ids), 'every directive delivered after the flush', 25_000);
    await deliveredOnce(s, ids);
  });
});
