import { backoffDelay } from './backoff';
import { parseRetryAfter } from './adapters/webhook/webhook.adapter';

describe('backoffDelay', () => {
  it('doubles each attempt, between half and all of the step', () => {
    expect(backoffDelay(1, 1000, 60_000, undefined, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, undefined, () => 0)).toBe(4000);
    expect(backoffDelay(4, 1000, 60_000, undefined, () => 1)).toBe(8000);
  });

  it('never goes past the cap', () => {
    expect(backoffDelay(40, 1000, 60_000, undefined, () => 1)).toBe(60_000);
  });

  it('waits at least as long as the platform asked', () => {
    expect(backoffDelay(1, 1000, 60_000, 30_000, () => 0)).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Sat, 28 Nov 2026 12:00:30 GMT', 30_000],
    ['Sat, 28 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('%s → %s', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
