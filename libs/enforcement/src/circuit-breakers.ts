import { type CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import type { DeliveryResult } from './adapters/platform-adapter';

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
      // A `retry` answer (timeout, 5xx, 429…) counts as a failure, as a throw does; a `failed` one
      // (a 4xx) is the platform refusing that directive, not being down.
      breaker = circuitBreaker(
        handleAll.orWhenResult((r) => (r as DeliveryResult).kind === 'retry'),
        {
          halfOpenAfter: this.halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(this.failures),
        },
      );
      this.breakers.set(platformId, breaker);
    }
    return breaker;
  }

  /** Sends through the platform's breaker: throws BrokenCircuitError while it is open. */
  execute(platformId: string, work: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
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
