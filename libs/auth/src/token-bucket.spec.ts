import fc from 'fast-check';
import { LocalBuckets, Leases, leaseSize, rateLimitHeaders, refilled } from './token-bucket';

describe('refilled', () => {
  it('adds the rate times the time elapsed, up to the burst and never past it', () => {
    expect(refilled(2, 1_000, 1_500, 0.01, 100)).toBe(7);
    expect(refilled(95, 1_000, 2_000, 0.01, 100)).toBe(100);
    expect(refilled(100, 1_000, 1_000_000, 1, 100)).toBe(100);
  });

  it('adds nothing when the clock went backwards', () => {
    expect(refilled(3, 2_000, 1_000, 0.5, 100)).toBe(3);
  });
});

describe('leaseSize', () => {
  it('is 1 % of a second’s rate, at most 100, and none below 100 per second', () => {
    expect([0.5, 99, 100, 250, 1_000, 10_000, 20_000, 1e6].map(leaseSize)).toEqual([0, 0, 1, 2, 10, 100, 100, 100]);
  });
});

describe('LocalBuckets', () => {
  it('starts full, gives the burst, then refuses for exactly as long as the missing tokens take', () => {
    const buckets = new LocalBuckets(10);
    expect(buckets.take('a', 3, 0.002, 5, 0)).toEqual({ allowed: true, granted: 3, left: 2 });
    expect(buckets.take('a', 2, 0.002, 5, 0)).toEqual({ allowed: true, granted: 2, left: 0 });
    // One token in 500 ms: one is missing after 0 ms, and half of one after 250 ms.
    expect(buckets.take('a', 1, 0.002, 5, 0)).toEqual({ allowed: false, retryAfterMs: 500, left: 0 });
    expect(buckets.take('a', 1, 0.002, 5, 250)).toEqual({ allowed: false, retryAfterMs: 250, left: 0 });
    expect(buckets.take('a', 1, 0.002, 5, 500)).toEqual({ allowed: true, granted: 1, left: 0 });
  });

  it('refuses a request costing more than it holds, takes nothing, and still grants a smaller one', () => {
    const buckets = new LocalBuckets(10);
    expect(buckets.take('a', 4, 0.001, 4, 0)).toMatchObject({ allowed: true, left: 0 });
    expect(buckets.take('a', 3, 0.001, 4, 2_500)).toEqual({ allowed: false, retryAfterMs: 500, left: 2 });
    expect(buckets.take('a', 2, 0.001, 4, 2_500)).toEqual({ allowed: true, granted: 2, left: 0 });
  });

  it('keeps one bucket per id', () => {
    const buckets = new LocalBuckets(10);
    expect(buckets.take('a', 1, 0.001, 1, 0).allowed).toBe(true);
    expect(buckets.take('a', 1, 0.001, 1, 0).allowed).toBe(false);
    expect(buckets.take('b', 1, 0.001, 1, 0).allowed).toBe(true);
  });

  it('holds at most its capacity, dropping the least recently used bucket, which then starts full', () => {
    const buckets = new LocalBuckets(2);
    buckets.take('a', 1, 0.001, 1, 0);
    buckets.take('b', 1, 0.001, 1, 0);
    buckets.take('a', 1, 0.001, 1, 0); // used again: b is now the least recently used
    buckets.take('c', 1, 0.001, 1, 0);
    expect(buckets.size).toBe(2);
    expect([buckets.has('a'), buckets.has('b'), buckets.has('c')]).toEqual([true, false, true]);
    expect(buckets.take('b', 1, 0.001, 1, 0).allowed).toBe(true);
  });

  it('moves a bucket used again to the end, and drops none to use one it already holds (found by StrykerJS 10)', () => {
    // Not full: a used again is the most recent, so d drops b, not a.
    const notFull = new LocalBuckets(3);
    for (const id of ['a', 'b', 'a', 'c', 'd']) notFull.take(id, 1, 0.001, 1, 0);
    expect([notFull.has('a'), notFull.has('b'), notFull.has('c'), notFull.has('d')]).toEqual([true, false, true, true]);
    // Full: using b, which it holds, drops nothing.
    const full = new LocalBuckets(3);
    for (const id of ['a', 'b', 'c', 'b']) full.take(id, 1, 0.001, 1, 0);
    expect([full.size, full.has('a')]).toEqual([3, true]);
  });

  it('never grants more than the burst plus the rate times the time elapsed (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.record({ wait: fc.nat(2_000), cost: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 200 }),
        (burst, perSecond, requests) => {
          const ratePerMs = perSecond / 1000;
          const buckets = new LocalBuckets(4);
          let now = 0;
          let granted = 0;
          let wrong = 0;
          for (const { wait, cost } of requests) {
            now += wait;
            const result = buckets.take('k', cost, ratePerMs, burst, now);
            if (result.allowed) granted += result.granted;
            else if (result.retryAfterMs < 1) wrong++;
            if (granted > burst + now * ratePerMs + 1e-6) wrong++;
          }
          expect(wrong).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Leases', () => {
  it('pays from a lease while it runs and holds enough, and says what remains with the shared bucket', () => {
    const leases = new Leases(10, 1_000);
    leases.keep('k', 5, 40, 0);
    expect(leases.spend('k', 2, 999)).toBe(43);
    expect(leases.spend('k', 4, 999)).toBeUndefined(); // 3 left: the lease is untouched
    expect(leases.spend('k', 3, 999)).toBe(40);
    expect(leases.spend('k', 1, 999)).toBeUndefined();
  });

  it('ends when its time is up', () => {
    const leases = new Leases(10, 1_000);
    leases.keep('k', 5, 0, 0);
    expect(leases.spend('k', 1, 1_000)).toBeUndefined();
  });

  it('keeps nothing when nothing was granted beyond the cost, and no lease for an unknown id', () => {
    const leases = new Leases(10, 1_000);
    leases.keep('k', 0, 10, 0);
    expect(leases.size).toBe(0);
    expect(leases.spend('k', 0, 0)).toBeUndefined();
  });

  it('drops every lease when full rather than grow', () => {
    const leases = new Leases(2, 1_000);
    leases.keep('a', 1, 0, 0);
    leases.keep('b', 1, 0, 0);
    expect(leases.size).toBe(2);
    leases.keep('c', 1, 0, 0);
    expect(leases.size).toBe(1);
    expect(leases.spend('a', 1, 0)).toBeUndefined();
    expect(leases.spend('c', 1, 0)).toBe(0);
  });
});

describe('rateLimitHeaders', () => {
  it('says the policy and how many remain, and when the bucket is full again', () => {
    expect(rateLimitHeaders({ ratePerSecond: 200, burst: 1_000, remaining: 599.7 })).toEqual({
      'ratelimit-policy': '"signup";q=1000;w=5',
      ratelimit: '"signup";r=599;t=3',
    });
  });

  it('says a window of at least a second, nothing below zero remaining, and the retry time on a refusal', () => {
    expect(rateLimitHeaders({ ratePerSecond: 5_000, burst: 1_000, remaining: -3 }, 7)).toEqual({
      'ratelimit-policy': '"signup";q=1000;w=1',
      ratelimit: '"signup";r=0;t=7',
    });
    expect(rateLimitHeaders({ ratePerSecond: 10, burst: 1_000, remaining: 1_000 }).ratelimit).toBe('"signup";r=1000;t=0');
    expect(rateLimitHeaders({ ratePerSecond: 10, burst: 1_000, remaining: 1_200 }).ratelimit).toBe('"signup";r=1200;t=0');
  });
});
