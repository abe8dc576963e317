import { type ClientOptions, HttpTransport } from './http';
import type { SignalInput } from './signals';
import type { Directive } from './webhooks';

export type Decision = 'block' | 'review' | 'allow';

export interface CheckResult {
  decision: Decision;
  matchId?: string;
  banEndsAt?: string;
  ignored?: { index: number; reason: string }[];
}

export type AckOutcome = 'enforced' | 'account_not_found' | 'rejected';

/**
 * The platform's side of the HTTP contract (docs: API): directives (pull, ack) and plain sign-up
 * checks. Requests the service asks to retry (429, 503 with `Retry-After`) are retried for you.
 */
export class OstraconClient {
  readonly http: HttpTransport;

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options);
  }

  /** Closes its kept-alive connections to the service. */
  close(): void {
    this.http.close();
  }

  /** The platform's directives, oldest first; `nextCursor` pages on. */
  pendingDirectives(options: { limit?: number; after?: string } = {}): Promise<{ items: Directive[]; nextCursor: string | null }> {
    return this.http.request('/v1/directives', { query: { status: 'pending', limit: options.limit, after: options.after } });
  }

  /** Says what was done with a directive. */
  ackDirective(id: string, outcome: AckOutcome, note?: string): Promise<unknown> {
    return this.http.request(`/v1/directives/${encodeURIComponent(id)}/ack`, {
      method: 'POST',
      body: note === undefined ? { outcome } : { outcome, note },
    });
  }

  /**
   * The plain check: the signals (raw, or prehashed with `prehash`) go to the service. Prefer
   * `PrivateScreener`, which sends neither.
   */
  checkSignup(signals: readonly SignalInput[]): Promise<CheckResult> {
    return this.http.request('/v1/signup-checks', { method: 'POST', body: { signals } });
  }
}
