import { type CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';

/**
 * One breaker per platform, in each worker process: after `failures` consecutive failed
 * deliveries a platform gets no request for `halfOpenAfterMs`, then one trial. Its queued
 * directives wait without spending attempts, and the worker's slots go to other platforms.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly failures: number,
    private readonly halfOpenAfterMs: number,
  ) {}

  private breaker(platformId: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(platformId);
    if (!breaker) {
      breaker = circuitBreaker(handleAll, { halfOpenAfter: this.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.failures) });
      this.breakers.set(platformId, breaker);
    }
    return breaker;
  }

  /** Runs `work` through the platform's breaker; `work` throws to count a failure. */
  execute<T>(platformId: string, work: () => Promise<T>): Promise<T> {
    return this.breaker(platformId).execute(work);
  }

  /** Open as last seen: an open breaker turns half-open only when a call goes through `execute`. */
  isOpen(platformId: string): boolean {
    return this.breakers.get(platformId)?.state === CircuitState.Open;
  }

  get retryAfterMs(): number {
    return this.halfOpenAfterMs;
  }
}
