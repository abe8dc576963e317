import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { REDIS } from '@ostracon/database';
import type { Redis } from 'ioredis';

/**
 * A token bucket per key, in Redis, so that it holds across every API process. Redis's own clock
 * (TIME) keeps processes on different machines in step. Takes `cost` tokens, and up to `want`
 * when there are that many (a lease the process spends locally); returns [granted, retry after
 * ms], granted 0 when refused.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens < cost then
  return {0, math.ceil((cost - tokens) / rate)}
end
local granted = math.max(cost, math.min(want, math.floor(tokens)))
redis.call('HSET', KEYS[1], 'tokens', tokens - granted, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {granted, 0}
`;

type TakeCommand = (key: string, rate: number, burst: number, cost: number, want: number) => Promise<[number, number]>;

/** A lease a process may spend without asking Redis again, for at most LEASE_MS. */
const LEASE_MS = 1000;
const MAX_LEASES = 10_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly ratePerMs: number;
  private readonly burst: number;
  /** While Redis is unreachable, each process keeps its own bucket: checks go on, still bounded. */
  private readonly local = new Map<string, { tokens: number; at: number }>();
  private redisDown = false;
  private readonly leaseSize: number;
  private readonly leases = new Map<string, { tokens: number; until: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ratePerMs = config.screening.ratePerSecond / 1000;
    this.burst = config.screening.rateBurst;
    this.leaseSize = Math.max(0, Math.min(100, Math.floor(config.screening.ratePerSecond / 100)));
    redis.defineCommand('ostraconTake', { numberOfKeys: 1, lua: TAKE });
  }

  /**
   * Takes `cost` tokens from the caller's bucket (a sign-up check costs one per check). Each call
   * to Redis also leases a few tokens more (1 % of a second's rate, at most 100), spent here
   * without a round trip for up to a second: Redis sees one call per lease instead of one per
   * check, and a process never holds more than its lease beyond the shared bucket.
   */
  async take(clientId: string, cost: number): Promise<RateDecision> {
    const now = Date.now();
    const lease = this.leases.get(clientId);
    if (lease && lease.until > now && lease.tokens >= cost) {
      lease.tokens -= cost;
      return { allowed: true };
    }
    try {
      const take = (this.redis as unknown as { ostraconTake: TakeCommand }).ostraconTake.bind(this.redis);
      const [granted, retryAfterMs] = await take(
        `ostracon:rate:signup:${clientId}`,
        this.ratePerMs,
        this.burst,
        cost,
        cost + this.leaseSize,
      );
      if (this.redisDown) {
        this.redisDown = false;
        this.logger.log('Redis is back: rate limits are shared again');
      }
      if (granted < cost) return { allowed: false, retryAfterMs: Math.max(1, retryAfterMs) };
      if (granted > cost) {
        if (this.leases.size >= MAX_LEASES) this.leases.clear();
        this.leases.set(clientId, { tokens: granted - cost, until: now + LEASE_MS });
      }
      return { allowed: true };
    } catch (error) {
      if (!this.redisDown) {
        this.redisDown = true;
        this.logger.warn(`Redis unreachable (${(error as Error).message}); rate limits are per process until it is back`);
      }
      return this.takeLocally(clientId, cost);
    }
  }

  private takeLocally(clientId: string, cost: number): RateDecision {
    const now = Date.now();
    const bucket = this.local.get(clientId) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.ratePerMs);
    bucket.at = now;
    this.local.set(clientId, bucket);
    if (bucket.tokens < cost) return { allowed: false, retryAfterMs: Math.ceil((cost - bucket.tokens) / this.ratePerMs) };
    bucket.tokens -= cost;
    return { allowed: true };
  }
}
