import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

/** What a directive webhook carries (docs: API § Platforms: directives). */
export interface Directive {
  id: string;
  type: 'suspend' | 'lift';
  orderId: string;
  accounts: { accountId: string; handle?: string }[];
  effectiveFrom: string;
  effectiveUntil: string | null;
  slaDeadline: string;
  [field: string]: unknown;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * Checks a directive webhook the way Standard Webhooks says (HMAC-SHA256 of "id.timestamp.body",
 * a five-minute window against replays) and returns its parsed body. `secrets` are the platform's
 * `whsec_…` secrets: during a rotation both the new and the old one, and a request signed by
 * either is accepted. Throws `WebhookVerificationError` otherwise. `rawBody` must be the bytes as
 * received, before any JSON parsing.
 */
export function verifyWebhook(rawBody: string | Buffer, headers: WebhookHeaders, secrets: string | readonly string[]): Directive {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new WebhookVerificationError('No webhook secret configured');
  const flat: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name] ?? headers[name.toLowerCase()];
    flat[name] = Array.isArray(value) ? value.join(' ') : (value ?? '');
  }
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  let failure: unknown;
  for (const secret of list) {
    try {
      return new Webhook(secret).verify(body, flat) as Directive;
    } catch (error) {
      failure = error;
    }
  }
  throw failure instanceof WebhookVerificationError ? failure : new WebhookVerificationError('No matching signature found');
}
