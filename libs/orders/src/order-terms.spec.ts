import { COURT_REFERENCE, addDays, addMonths, endOf, latestEnd, maxDurationDays, maxDurationMonths, parisInstant } from './order-terms';

describe('addMonths (de quantième à quantième, on the Paris calendar)', () => {
  it.each([
    // 2026-12-01 01:00 Paris (winter) + 6 months = 2027-06-01 01:00 Paris (summer).
    ['2026-12-01T00:00:00Z', 6, '2027-05-31T23:00:00.000Z'],
    ['2026-08-31T12:00:00Z', 6, '2027-02-28T13:00:00.000Z'],
    ['2027-08-31T12:00:00Z', 6, '2028-02-29T13:00:00.000Z'],
    ['2026-11-28T10:00:00Z', 12, '2027-11-28T10:00:00.000Z'],
    ['2026-03-31T00:00:00Z', 6, '2026-09-30T00:00:00.000Z'],
    // The Paris day, not the UTC one: 1 February 00:30 in Paris is still 31 January in UTC.
    ['2026-01-31T23:30:00Z', 1, '2026-02-28T23:30:00.000Z'],
    // 03:24 stays 03:24 across the change to summer time (29 March 2026) and back (25 October).
    ['2026-03-01T02:24:00Z', 1, '2026-04-01T01:24:00.000Z'],
    ['2026-03-29T01:24:00Z', 1, '2026-04-29T01:24:00.000Z'],
    ['2026-10-01T01:24:00Z', 1, '2026-11-01T02:24:00.000Z'],
    ['2026-10-01T01:24:00.123Z', 1, '2026-11-01T02:24:00.123Z'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addMonths(new Date(from), months).toISOString()).toBe(expected);
  });
});

describe('addDays and endOf (calendar days, Paris wall clock)', () => {
  it.each([
    // 30 days from 1 March 03:24 end on 31 March 03:24, not 04:24 (30 × 24 h would).
    ['2026-03-01T02:24:00Z', 30, '2026-03-31T01:24:00.000Z'],
    ['2026-10-24T22:00:00Z', 2, '2026-10-26T23:00:00.000Z'],
    // 02:30 does not exist on 29 March 2026: 03:30, an hour later, as Temporal's "compatible".
    ['2026-03-28T01:30:00Z', 1, '2026-03-29T01:30:00.000Z'],
    // 02:30 happens twice on 25 October 2026: the first (summer time).
    ['2026-10-24T00:30:00Z', 1, '2026-10-25T00:30:00.000Z'],
    ['2026-10-26T01:30:00Z', -1, '2026-10-25T00:30:00.000Z'],
    ['2026-12-01T00:00:00Z', 0, '2026-12-01T00:00:00.000Z'],
  ])('%s + %i days = %s', (from, days, expected) => {
    expect(addDays(new Date(from), days).toISOString()).toBe(expected);
  });

  it('adds the months first, then the days', () => {
    // 31 January + 1 month = 28 February, + 1 day = 1 March (days first would give 31 March).
    expect(endOf(new Date('2027-01-31T09:00:00Z'), { months: 1, days: 1 }).toISOString()).toBe('2027-03-01T09:00:00.000Z');
    expect(endOf(new Date('2027-01-31T09:00:00Z'), { days: 3 }).toISOString()).toBe('2027-02-03T09:00:00.000Z');
    expect(endOf(new Date('2027-01-31T09:00:00Z'), { months: 2 }).toISOString()).toBe('2027-03-31T08:00:00.000Z');
    expect(endOf(new Date('2027-01-31T09:00:00Z'), {}).toISOString()).toBe('2027-01-31T09:00:00.000Z');
  });

  it('gives the latest end the law allows', () => {
    expect(latestEnd(new Date('2026-12-01T00:00:00Z'), 'conviction', false).toISOString()).toBe('2027-05-31T23:00:00.000Z');
    expect(latestEnd(new Date('2026-12-01T00:00:00Z'), 'conviction', true).toISOString()).toBe('2027-12-01T00:00:00.000Z');
    expect(latestEnd(new Date('2026-12-01T00:00:00Z'), 'probation', true).toISOString()).toBe('2027-05-31T23:00:00.000Z');
  });
});

describe('parisInstant (a datetime-local input read in Paris)', () => {
  it.each([
    ['2027-03-01T03:24', '2027-03-01T02:24:00.000Z'],
    ['2027-07-14T10:00', '2027-07-14T08:00:00.000Z'],
    ['2027-07-14T10:00:30', '2027-07-14T08:00:30.000Z'],
    // The skipped hour reads an hour later; the repeated one, the first time.
    ['2027-03-28T02:30', '2027-03-28T01:30:00.000Z'],
    ['2027-10-31T02:30', '2027-10-31T00:30:00.000Z'],
  ])('%s = %s', (local, iso) => {
    expect(parisInstant(local)?.toISOString()).toBe(iso);
  });
  it.each(['', '2027-03-01', '2027-03-01 03:24', 'x'])('%j: none', (local) => {
    expect(parisInstant(local)).toBeUndefined();
  });
});

describe('Code pénal 131-35-1 in months and days', () => {
  it.each([
    ['conviction', false, 6],
    ['conviction', true, 12],
    ['pretrial_supervision', false, 6],
    ['pretrial_supervision', true, 6],
    ['probation', false, 6],
    ['probation', true, 6],
  ] as const)('%s, repeat offender %s: %i months', (basis, repeat, months) => {
    expect(maxDurationMonths(basis, repeat)).toBe(months);
  });

  it.each([
    // 2026-12-01 + 6 months = 2027-06-01: 182 days; + 12 months = 2027-12-01: 365 days.
    ['2026-12-01T00:00:00Z', 'conviction', false, 182],
    ['2026-12-01T00:00:00Z', 'conviction', true, 365],
    ['2026-12-01T00:00:00Z', 'probation', true, 182],
    // Over a 29 February: 2027-12-01 + 12 months = 2028-12-01, 366 days.
    ['2027-12-01T00:00:00Z', 'conviction', true, 366],
    // 2026-08-31 + 6 months = 2027-02-28 (no 31 February): 181 days.
    ['2026-08-31T12:00:00Z', 'conviction', false, 181],
    // Into the hour summer time skips: 2026-09-29 02:30 + 6 months falls in it, and so does the 181st day.
    ['2025-09-29T00:30:00Z', 'conviction', false, 181],
  ] as const)('from %s, %s, repeat offender %s: %i days', (start, basis, repeat, days) => {
    expect(maxDurationDays(new Date(start), basis, repeat)).toBe(days);
  });
});

describe('the court reference’s shape', () => {
  it.each([
    ['TJ-PARIS-2026/123', true],
    ['RG 26.00042_b', true],
    ['7', true],
    ['', false],
    [' TJ', false],
    ['-TJ', false],
    ['TJ#1', false],
    ['TJ\n1', false],
  ])('%j: %s', (reference, ok) => {
    expect(COURT_REFERENCE.test(reference)).toBe(ok);
  });
});
