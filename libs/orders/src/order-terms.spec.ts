import { COURT_REFERENCE, addMonths, maxDurationDays, maxDurationMonths } from './order-terms';

describe('addMonths (de quantième à quantième)', () => {
  it.each([
    ['2026-12-01T00:00:00Z', 6, '2027-06-01T00:00:00.000Z'],
    ['2026-08-31T12:00:00Z', 6, '2027-02-28T12:00:00.000Z'],
    ['2027-08-31T12:00:00Z', 6, '2028-02-29T12:00:00.000Z'],
    ['2026-11-28T10:00:00Z', 12, '2027-11-28T10:00:00.000Z'],
    ['2026-03-31T00:00:00Z', 6, '2026-09-30T00:00:00.000Z'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addMonths(new Date(from), months).toISOString()).toBe(expected);
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
