import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import type { DeliveryResult, DirectivePayload, PlatformAdapter, PlatformTarget } from '../platform-adapter';

/** Retry-After in seconds or as an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Push: POST the directive to the platform's webhook, signed Standard Webhooks style
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`). 2xx is delivered; 408, 429, 5xx and network errors are retried;
 * any other 4xx is final.
 */
@Injectable()
export class WebhookAdapter implements PlatformAdapter {
  readonly name = 'webhook';

  constructor(private readonly timeoutMs: number) {}

  async deliver(target: PlatformTarget, payload: DirectivePayload, attempt: { webhookId: string; at: Date }): Promise<DeliveryResult> {
    const body = JSON.stringify(payload);
    const signature = new Webhook(target.webhookSecret).sign(attempt.webhookId, attempt.at, body);
    let response: Response;
    try {
      response = await fetch(target.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Ostracon-Directives/1',
          'webhook-id': attempt.webhookId,
          'webhook-timestamp': String(Math.floor(attempt.at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      // The answer's body is not ours to keep; drain it so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      const name = (error as Error)?.name;
      return { kind: 'retry', reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), attempt.at);
    if (status === 408) return { kind: 'retry', reason: 'http_408', status, retryAfterMs };
    if (status === 429) return { kind: 'retry', reason: 'http_429', status, retryAfterMs };
    if (status >= 500) return { kind: 'retry', reason: 'http_5xx', status, retryAfterMs };
    if (status >= 400) return { kind: 'failed', reason: 'http_4xx', status };
    // 1xx/3xx (redirects are refused): the platform did not take it.
    return { kind: 'retry', reason: 'invalid_response', status };
  }
}
