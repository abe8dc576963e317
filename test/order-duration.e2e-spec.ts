import type { CreatedClient } from '@ostracon/auth';
import { orderBody } from './support/builders';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

/** The Paris wall clock of an instant, "YYYY-MM-DD HH:mm:ss" (what a judgment and a clerk read). */
const paris = (iso: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));

/** The next `month` (0-based) 1st at 03:24 Paris that is ahead of now: winter time in March, summer time in October. */
function nextFirstOf(month: number, utcHour: number): Date {
  const now = new Date();
  let year = now.getUTCFullYear();
  if (now.getTime() >= Date.UTC(year, month, 1) - 86_400_000) year++;
  return new Date(Date.UTC(year, month, 1, utcHour, 24));
}

/**
 * A ban's length in months and days, as the judgment states it (Code pénal 131-35-1): counted on
 * the Paris calendar by the API, so that across a daylight-saving change the ban ends at the same
 * wall-clock time it started, not an hour off.
 */
describe('an order’s duration in months and days', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let platform: string;

  beforeAll(async () => {
    t = await startTestApp();
    platform = await t.platform('tiktok');
    authority = await t.client('authority');
  });
  afterAll(() => t.close());

  const submit = (overrides: Record<string, unknown>) =>
    submitOrder(t, authority.apiKey, orderBody(platform, new Date(), { durationDays: undefined, ...overrides }));

  // 1 March 03:24 Paris is 02:24Z (winter time); summer time begins on the last Sunday of March.
  const march = nextFirstOf(2, 2);
  // 1 October 03:24 Paris is 01:24Z (summer time); winter time comes back on the last Sunday of October.
  const october = nextFirstOf(9, 1);

  it.each([
    // The hours past whole days: summer time's first day has 23 hours, its last 25.
    ['one month, into summer time', march, { duration: { months: 1 } }, '04-01 03:24:00', 23],
    ['31 days, into summer time', march, { duration: { days: 31 } }, '04-01 03:24:00', 23],
    ['durationDays 31, into summer time', march, { durationDays: 31 }, '04-01 03:24:00', 23],
    ['a month and two days', march, { duration: { months: 1, days: 2 } }, '04-03 03:24:00', 23],
    ['one month, into winter time', october, { duration: { months: 1 } }, '11-01 03:24:00', 1],
    ['six months, the most for a first conviction', october, { duration: { months: 6 } }, '04-01 03:24:00', 0],
  ])('%s: ends at the same wall-clock time in Paris', async (_, startsAt, duration, end, extraHours) => {
    const res = await submit({ startsAt: startsAt.toISOString(), ...duration });
    expect(res.status).toBe(201);
    expect(paris(res.body.startsAt).slice(5)).toMatch(/^(03|10)-01 03:24:00$/);
    expect(paris(res.body.endsAt).slice(5)).toBe(end);
    const hours = (Date.parse(res.body.endsAt) - Date.parse(res.body.startsAt)) / 3_600_000;
    expect(hours % 24).toBe(extraHours);
  });

  it('allows a repeat offender’s 12 months on a conviction, to the day', async () => {
    const res = await submit({ startsAt: october.toISOString(), repeatOffender: true, duration: { months: 12 } });
    expect(res.status).toBe(201);
    expect(paris(res.body.endsAt)).toBe(`${october.getUTCFullYear() + 1}-10-01 03:24:00`);
  });

  it('says how long the law allows when the duration is over it, on the duration', async () => {
    const res = await submit({ startsAt: march.toISOString(), duration: { months: 6, days: 1 } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ORDER.DURATION_EXCEEDED');
    expect(res.body.errors).toEqual([{ path: 'duration', message: 'longer than 6 months' }]);
    expect(res.body.detail).toContain(`the ban may run until ${new Date(Date.UTC(march.getUTCFullYear(), 8, 1, 1, 24)).toISOString()}`);
  });
});
