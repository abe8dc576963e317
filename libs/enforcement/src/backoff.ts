/**
 * Exponential backoff with equal jitter: half the step fixed, half random, so retries of many
 * directives spread out but never come back at once. A platform's Retry-After is a floor.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, retryAfterMs?: number, random = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = step / 2 + random() * (step / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
