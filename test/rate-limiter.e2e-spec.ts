import { RateLimiter } from '@ostracon/auth';
import type { AppConfig } from '@ostracon/config';
import { redisReady } from '@ostracon/database';
import { Redis } from 'ioredis';
import { RedisServer } from './support/redis-server';

/** The sign-up rate limiter's leases, against a Redis of its own (its command counters are this test's alone). */
describe('the sign-up rate limiter', () => {
  const redis = new RedisServer();
  const connections: Redis[] = [];

  beforeAll(() => redis.start());
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await redis.stop();
  });

  /** One API process's limiter: its own connection, as RedisModule makes it. */
  async function processLimiter(ratePerSecond: number, rateBurst: number): Promise<RateLimiter> {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    connections.push(connection);
    // Connected first: a call before that would be answered by the per-process fallback.
    await redisReady(connection);
    return new RateLimiter(connection, {
      screening: { ratePerSecond, rateBurst },
      authFailures: { ratePerMinute: 60, burst: 120 },
      signInAttempts: { ratePerMinute: 300, burst: 600 },
    } as AppConfig);
  }

  /** Scripts Redis has run (the bucket is one Lua script per call). */
  async function scriptCalls(): Promise<number> {
    const stats = await redis.command('INFO', 'commandstats');
    return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  }

  it('asks Redis once per lease, not once per check', async () => {
    // 10,000 checks a second: each call to Redis leases 100 tokens more.
    const limiter = await processLimiter(10_000, 5_000);
    const before = await scriptCalls();
    let allowed = 0;
    for (let i = 0; i < 3_000; i++) if ((await limiter.take({ id: 'lessee' }, 1)).allowed) allowed++;
    const calls = (await scriptCalls()) - before;
    expect(allowed).toBe(3_000);
    expect(calls).toBeGreaterThanOrEqual(Math.floor(3_000 / 101));
    expect(calls).toBeLessThanOrEqual(3_000 / 50);
  });

  it('keeps two processes together within the shared bucket, plus at most one lease each', async () => {
    // 1,000 a second (leases of 10), a burst of 50, two processes taking turns as fast as they can.
    const [a, b] = [await processLimiter(1_000, 50), await processLimiter(1_000, 50)];
    const started = Date.now();
    let allowed = 0;
    const refusals: number[] = [];
    for (let i = 0; i < 600; i++) {
      const decision = await (i % 2 ? a : b).take({ id: 'shared' }, 1);
      if (decision.allowed) allowed++;
      else refusals.push(decision.retryAfterMs);
    }
    const elapsedMs = Date.now() - started;
    expect(allowed).toBeGreaterThanOrEqual(50);
    expect(allowed).toBeLessThanOrEqual(50 + Math.ceil(elapsedMs * 1) + 2 * 10);
    expect(refusals.every((ms) => ms >= 1)).toBe(true);
  });
});
