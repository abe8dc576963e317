/**
 * Push or pull, the one rule: a platform with a webhook URL is pushed each directive (signed
 * webhook, retried by the worker); one without pulls them (`GET /v1/directives`), and reading a
 * directive is its delivery. `PUSH_SQL` is the same rule over a row of `platforms` aliased `p`.
 */
export const DELIVERY_MODES = ['push', 'pull'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export function deliveryMode(platform: { webhookUrl: string | null }): DeliveryMode {
  return platform.webhookUrl !== null ? 'push' : 'pull';
}

export const PUSH_SQL = '(p.webhook_url IS NOT NULL)';
