/**
 * The arithmetic of the rate limits, apart from Redis so that unit specs and mutation testing
 * reach all of it (issue 17). The shared bucket is the Lua script in rate-limiter.ts, which
 * refills exactly as `refilled` does; here are a process's own buckets while Redis is
 * unreachable, its leases on the shared bucket, and the RateLimit header fields.
 * docs/screening.md § Abuse resistance.
 */

/**
 * A token bucket's tokens at `now`, refilled since `at` at `ratePerMs` and never above `burst`. A
 * clock that went backwards adds nothing.
 */
export function refilled(tokens: number, at: number, now: number, ratePerMs: number, burst: number): number {
  return Math.min(burst, tokens + Math.max(0, now - at) * ratePerMs);
}

/**
 * How many tokens a process asks for beyond a request's cost, to spend without asking Redis
 * again: 1 % of a second's rate, at most 100, none for a rate under 100 per second.
 */
export function leaseSize(ratePerSecond: number): number {
  return Math.max(0, Math.min(100, Math.floor(ratePerSecond / 100)));
}

/** What a bucket answered: the tokens granted, or how long until the request would pass; and about how many tokens are left. */
export type TakeResult = { allowed: true; granted: number; left: number } | { allowed: false; retryAfterMs: number; left: number };

/**
 * One kind of token bucket held by this process alone, while Redis is unreachable: requests go
 * on, still bounded. At most `capacity` buckets, the least recently used dropped first (it starts
 * full again when next used), so memory stays bounded whatever ids arrive.
 */
export class LocalBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.buckets.size;
  }

  has(id: string): boolean {
    return this.buckets.has(id);
  }

  /** Takes `cost` tokens from `id`'s bucket (full when new), or none when it holds fewer. */
  take(id: string, cost: number, ratePerMs: number, burst: number, now: number): TakeResult {
    const state = this.buckets.get(id) ?? { tokens: burst, at: now };
    state.tokens = refilled(state.tokens, state.at, now, ratePerMs, burst);
    state.at = now;
    // Re-inserted, so the map's order is least recently used first.
    this.buckets.delete(id);
    if (this.buckets.size >= this.capacity) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(id, state);
    if (state.tokens < cost) {
      return { allowed: false, retryAfterMs: Math.ceil((cost - state.tokens) / ratePerMs), left: Math.floor(state.tokens) };
    }
    state.tokens -= cost;
    return { allowed: true, granted: cost, left: Math.floor(state.tokens) };
  }
}

/**
 * Tokens a process took from the shared bucket beyond what a request cost, spent here without a
 * round trip for `durationMs`: Redis sees one call per lease instead of one per check, and a
 * process never holds more than its lease beyond the shared bucket. At most `capacity` leases;
 * past that they are all dropped (a dropped lease is only tokens not spent).
 */
export class Leases {
  private readonly leases = new Map<string, { tokens: number; until: number; shared: number }>();

  constructor(
    private readonly capacity: number,
    private readonly durationMs: number,
  ) {}

  get size(): number {
    return this.leases.size;
  }

  /**
   * Spends `cost` from `id`'s lease when it is still running and holds that many; returns about
   * how many tokens remain (the shared bucket as last seen, plus the lease), or undefined when the
   * lease cannot pay.
   */
  spend(id: string, cost: number, now: number): number | undefined {
    const lease = this.leases.get(id);
    if (!lease || lease.until <= now || lease.tokens < cost) return undefined;
    lease.tokens -= cost;
    return lease.shared + lease.tokens;
  }

  /** Keeps `tokens` (granted beyond the cost) as `id`'s lease from `now`; `shared` is what the shared bucket had left. */
  keep(id: string, tokens: number, shared: number, now: number): void {
    if (tokens <= 0) return;
    if (this.leases.size >= this.capacity) this.leases.clear();
    this.leases.set(id, { tokens, until: now + this.durationMs, shared });
  }
}

/** A key's sign-up limit and what is known of its bucket now. */
export interface RateLimitState {
  ratePerSecond: number;
  burst: number;
  remaining: number;
}

/**
 * The key's limits as the IETF httpapi RateLimit header fields say them
 * (draft-ietf-httpapi-ratelimit-headers): the policy, `q` checks at once over a window `w` of the
 * seconds a full refill takes; and now, `r` checks remaining and `t` seconds until the bucket is
 * full again (on a refusal: until the refused request would pass). docs/screening.md § Abuse resistance.
 */
export function rateLimitHeaders(rate: RateLimitState, retryAfterSeconds?: number): Record<string, string> {
  const remaining = Math.max(0, Math.floor(rate.remaining));
  const window = Math.max(1, Math.ceil(rate.burst / rate.ratePerSecond));
  const reset = retryAfterSeconds ?? Math.max(0, Math.ceil((rate.burst - remaining) / rate.ratePerSecond));
  return {
    'ratelimit-policy': `"signup";q=${rate.burst};w=${window}`,
    ratelimit: `"signup";r=${remaining};t=${reset}`,
  };
}
