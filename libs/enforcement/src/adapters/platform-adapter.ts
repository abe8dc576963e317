/**
 * How a directive reaches a platform. One folder per adapter under `adapters/`; see
 * `adapters/README.md` for how to add a platform-specific API adapter.
 */
export interface DirectivePayload {
  id: string;
  type: 'suspend' | 'lift';
  orderId: string;
  accounts: { accountId: string; handle?: string }[];
  effectiveFrom: string;
  effectiveUntil: string;
  slaDeadline: string;
}

/** The platform a directive goes to, as its adapter needs it. */
export interface PlatformTarget {
  id: string;
  webhookUrl: string | null;
  /** Standard Webhooks secret, `whsec_…`, in clear for signing only; null without a webhook. */
  webhookSecret: string | null;
  /** During a rotation's overlap, the secret being replaced: it signs too. */
  previousWebhookSecret?: string | null;
}

/** The adapters the worker delivers with, by injection (EnforcementModule provides them). */
export const PLATFORM_ADAPTERS = Symbol('PLATFORM_ADAPTERS');

/** Why an attempt failed, as a class: the audit log and metrics keep this, never the body. */
export type FailureClass =
  | 'timeout'
  | 'network'
  | 'http_408'
  | 'http_429'
  | 'http_5xx'
  | 'http_4xx'
  | 'breaker_open'
  | 'invalid_response'
  /**
   * The webhook's host is not a public address and the worker may only reach public ones: refused
   * before any connection, and recorded as nothing more (no status, no network error), so a webhook
   * URL cannot map which ports of the worker's network answer.
   */
  | 'unreachable';

export type DeliveryResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; reason: FailureClass; status?: number; retryAfterMs?: number }
  | { kind: 'failed'; reason: FailureClass; status?: number };

export interface PlatformAdapter {
  /** A stable name, e.g. `webhook`. */
  readonly name: string;
  /** Whether this adapter delivers to this platform (the first adapter that does is used). */
  handles(target: PlatformTarget): boolean;
  /** Sends one directive. Never throws for a platform's answer: the result says what happened. */
  deliver(target: PlatformTarget, payload: DirectivePayload, attempt: { webhookId: string; at: Date }): Promise<DeliveryResult>;
  /** Releases what the adapter holds (kept-alive connections) when the worker shuts down. */
  close?(): void;
}
