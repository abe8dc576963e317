import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { REDIS } from '@ostracon/database';
import type { Redis } from 'ioredis';
import type { AuthenticatedClient } from '@ostracon/common';
import { LocalBuckets, Leases, type TakeResult, leaseSize } from './token-bucket';

/**
 * A token bucket per key, in Redis, so that it holds across every API process. Redis's own clock
 * (TIME) keeps processes on different machines in step; the refill is token-bucket.ts's `refilled`. Takes `cost` tokens, and up to `want`
 * when there are that many (a lease the process spends locally); returns [granted, retry after
 * ms, tokens left], granted 0 when refused.
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
  return {0, math.ceil((cost - tokens) / rate), math.floor(tokens)}
end
local granted = math.max(cost, math.min(want, math.floor(tokens)))
redis.call('HSET', KEYS[1], 'tokens', tokens - granted, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {granted, 0, math.floor(tokens - granted)}
`;

type TakeCommand = (key: string, rate: number, burst: number, cost: number, want: number) => Promise<[number, number, number]>;

/** A lease a process may spend without asking Redis again, for at most LEASE_MS. */
const LEASE_MS = 1000;
const MAX_LEASES = 10_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A key's sign-up check decision, with what its RateLimit headers say (IETF httpapi
 * ratelimit-headers): the policy (`burst` checks at once, refilled at `ratePerSecond`) and about
 * how many checks remain now (the shared bucket as last seen, plus this process's lease).
 */
export type SignupRateDecision = RateDecision & { ratePerSecond: number; burst: number; remaining: number };

interface Bucket {
  /** Redis key prefix; the bucket's id follows it. */
  prefix: string;
  ratePerMs: number;
  burst: number;
  /**
   * This process's own buckets while Redis is unreachable: requests go on, still bounded. One set
   * per kind, so a flood of made-up addresses cannot push the clients' limits out.
   */
  local: LocalBuckets;
}

const MAX_BLOCKED = 10_000;

/** The two allowances of a source address (docs/security.md § Failed authentications). */
export type FailureBudget = 'key' | 'person';

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly signup: Bucket;
  private readonly authFailures: Bucket;
  private readonly people: Bucket;
  private redisDown = false;
  private readonly leases = new Leases(MAX_LEASES, LEASE_MS);
  /**
   * Addresses refused, until when, per budget: a flood is answered without asking Redis each time.
   * `key`: requests with no key or a key nobody holds. `person`: sign-in starts, returns matching no
   * sign-in and session cookies that open nothing. Apart, so that a flood of made-up keys from an
   * address never locks out the people signing in from it (behind one NAT) — issue 29.
   */
  private readonly blocked: Record<FailureBudget, Map<string, number>> = { key: new Map(), person: new Map() };

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.signup = {
      prefix: 'ostracon:rate:signup:',
      ratePerMs: config.screening.ratePerSecond / 1000,
      burst: config.screening.rateBurst,
      local: new LocalBuckets(MAX_LEASES),
    };
    this.authFailures = {
      prefix: 'ostracon:rate:authfail:',
      ratePerMs: config.authFailures.ratePerMinute / 60_000,
      burst: config.authFailures.burst,
      local: new LocalBuckets(MAX_LEASES),
    };
    this.people = {
      prefix: 'ostracon:rate:person:',
      ratePerMs: config.signInAttempts.ratePerMinute / 60_000,
      burst: config.signInAttempts.burst,
      local: new LocalBuckets(MAX_LEASES),
    };
    redis.defineCommand('ostraconTake', { numberOfKeys: 1, lua: TAKE });
  }

  /**
   * One failed authentication (no key, or one nobody holds) from a source address. Past the
   * address's allowance (AUTH_FAILURE_RATE_PER_MINUTE, AUTH_FAILURE_BURST, shared by every
   * process through Redis) the answer is a 429 instead of a 401; a valid key from the same
   * address is never asked about here.
   */
  async takeAuthFailure(address: string, budget: FailureBudget = 'key'): Promise<RateDecision> {
    const now = Date.now();
    const blocked = this.blocked[budget];
    const until = blocked.get(address);
    if (until !== undefined) {
      if (until > now) return { allowed: false, retryAfterMs: until - now };
      blocked.delete(address);
    }
    const decision = await this.takeFrom(budget === 'key' ? this.authFailures : this.people, address, 1, 1);
    if (!decision.allowed) {
      if (blocked.size >= MAX_BLOCKED) blocked.clear();
      blocked.set(address, now + decision.retryAfterMs);
    }
    return decision;
  }

  /** How long this source is still known here to be over that budget (0: not known to be). */
  blockedFor(address: string, budget: FailureBudget = 'key'): number {
    const until = this.blocked[budget].get(address);
    return until === undefined ? 0 : Math.max(0, until - Date.now());
  }

  /**
   * Takes `cost` tokens from the caller's bucket (a sign-up check costs one per check). Each call
   * to Redis also leases a few tokens more (1 % of a second's rate, at most 100), spent here
   * without a round trip for up to a second: Redis sees one call per lease instead of one per
   * check, and a process never holds more than its lease beyond the shared bucket.
   */
  async take(client: Pick<AuthenticatedClient, 'id' | 'signupLimit'>, cost: number): Promise<SignupRateDecision> {
    const ratePerSecond = client.signupLimit?.ratePerSecond ?? this.signup.ratePerMs * 1000;
    const burst = client.signupLimit?.burst ?? this.signup.burst;
    const policy = { ratePerSecond, burst };
    const now = Date.now();
    // The bucket is the key's and its policy's: a changed limit starts a bucket of its own.
    const id = client.signupLimit ? `${client.id}:${ratePerSecond}:${burst}` : client.id;
    const leased = this.leases.spend(id, cost, now);
    if (leased !== undefined) return { allowed: true, ...policy, remaining: leased };
    const bucket = { ...this.signup, ratePerMs: ratePerSecond / 1000, burst };
    const decision = await this.takeFrom(bucket, id, cost, cost + leaseSize(ratePerSecond));
    if (!decision.allowed) return { allowed: false, retryAfterMs: decision.retryAfterMs, ...policy, remaining: decision.left };
    this.leases.keep(id, decision.granted - cost, decision.left, now);
    return { allowed: true, ...policy, remaining: decision.left + decision.granted - cost };
  }

  private async takeFrom(bucket: Bucket, id: string, cost: number, want: number): Promise<TakeResult> {
    try {
      const take = (this.redis as unknown as { ostraconTake: TakeCommand }).ostraconTake.bind(this.redis);
      const [granted, retryAfterMs, left] = await take(`${bucket.prefix}${id}`, bucket.ratePerMs, bucket.burst, cost, want);
      if (this.redisDown) {
        this.redisDown = false;
        this.logger.log('Redis is back: rate limits are shared again');
      }
      if (granted < cost) return { allowed: false, retryAfterMs: Math.max(1, retryAfterMs), left };
      return { allowed: true, granted, left };
    } catch (error) {
      if (!this.redisDown) {
        this.redisDown = true;
        this.logger.warn(`Redis unreachable (${(error as Error).message}); rate limits are per process until it is back`);
      }
      return bucket.local.take(id, cost, bucket.ratePerMs, bucket.burst, Date.now());
    }
  }
}
