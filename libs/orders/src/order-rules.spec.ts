import { DomainError } from '@ostracon/common';
import { checkOrderRules, orderStatus, type OrderTiming } from './order-rules';
import { LEGAL_BASES, maxDurationDays } from './order-terms';

const NOW = new Date('2026-11-28T10:00:00Z');
const START = '2026-12-01T00:00:00Z';

function timing(overrides: Partial<OrderTiming>): OrderTiming {
  return {
    decisionDate: '2026-11-20',
    legalBasis: 'conviction',
    offence: 'cyberharassment',
    repeatOffender: false,
    startsAt: START,
    durationDays: 30,
    ...overrides,
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('Code pénal 131-35-1 duration limits', () => {
  // From 2026-12-01 01:00 Paris: 6 months = 2027-06-01 01:00 Paris, summer time (182 days), 12 months
  // = 2027-12-01 01:00 Paris (365 days).
  it.each([
    ['conviction, first offence: 6 months exactly', { endsAt: '2027-05-31T23:00:00Z', durationDays: undefined }, 'OK'],
    ['conviction, first offence: a second under 6 months', { endsAt: '2027-05-31T22:59:59Z', durationDays: undefined }, 'OK'],
    [
      'conviction, first offence: a second over 6 months',
      { endsAt: '2027-05-31T23:00:01Z', durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
    ],
    ['conviction, first offence: { months: 6 }', { duration: { months: 6 }, durationDays: undefined }, 'OK'],
    ['conviction, first offence: { months: 5, days: 31 }', { duration: { months: 5, days: 31 }, durationDays: undefined }, 'OK'],
    [
      'conviction, first offence: { months: 6, days: 1 }',
      { duration: { months: 6, days: 1 }, durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
    ],
    ['conviction, first offence: { months: 7 }', { duration: { months: 7 }, durationDays: undefined }, 'ORDER.DURATION_EXCEEDED'],
    ['conviction, repeat offender: { months: 12 }', { repeatOffender: true, duration: { months: 12 }, durationDays: undefined }, 'OK'],
    [
      'probation, repeat offender: { months: 12 }',
      { legalBasis: 'probation', repeatOffender: true, duration: { months: 12 }, durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
    ],
    ['conviction, first offence: 182 days (= 6 months here)', { durationDays: 182 }, 'OK'],
    ['conviction, first offence: 181 days', { durationDays: 181 }, 'OK'],
    ['conviction, first offence: 183 days', { durationDays: 183 }, 'ORDER.DURATION_EXCEEDED'],
    [
      'conviction, repeat offender: 12 months exactly',
      { repeatOffender: true, endsAt: '2027-12-01T00:00:00Z', durationDays: undefined },
      'OK',
    ],
    ['conviction, repeat offender: 364 days', { repeatOffender: true, durationDays: 364 }, 'OK'],
    ['conviction, repeat offender: 365 days (= 12 months here)', { repeatOffender: true, durationDays: 365 }, 'OK'],
    ['conviction, repeat offender: 366 days', { repeatOffender: true, durationDays: 366 }, 'ORDER.DURATION_EXCEEDED'],
    [
      'conviction, repeat offender: a second over 12 months',
      { repeatOffender: true, endsAt: '2027-12-01T00:00:01Z', durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
    ],
    ['pre-trial supervision: 6 months exactly', { legalBasis: 'pretrial_supervision', durationDays: 182 }, 'OK'],
    ['pre-trial supervision: just over 6 months', { legalBasis: 'pretrial_supervision', durationDays: 183 }, 'ORDER.DURATION_EXCEEDED'],
    [
      'pre-trial supervision: repeat offender is still 6 months',
      { legalBasis: 'pretrial_supervision', repeatOffender: true, durationDays: 183 },
      'ORDER.DURATION_EXCEEDED',
    ],
    ['probation: 6 months exactly', { legalBasis: 'probation', durationDays: 182 }, 'OK'],
    [
      'probation: repeat offender is still 6 months',
      { legalBasis: 'probation', repeatOffender: true, durationDays: 200 },
      'ORDER.DURATION_EXCEEDED',
    ],
    ['one day', { durationDays: 1 }, 'OK'],
    ['ends when it starts', { endsAt: START, durationDays: undefined }, 'ORDER.DURATION_EXCEEDED'],
    ['ends before it starts', { endsAt: '2026-11-30T00:00:00Z', durationDays: undefined }, 'ORDER.DURATION_EXCEEDED'],
  ] as [string, Partial<OrderTiming>, string][])('%s', (_name, overrides, expected) => {
    expect(codeOf(() => checkOrderRules(timing(overrides), NOW))).toBe(expected);
  });
});

describe('the limit the console shows is the one the API applies', () => {
  it('accepts maxDurationDays and refuses a day more, for every start of the coming year and every basis', () => {
    const disagreements: string[] = [];
    for (let day = 0; day < 366; day++) {
      // Every hour of the day in turn, so that starts cross midnight and the months' ends at various times.
      const start = new Date(NOW.getTime() + day * 86_400_000 + (day % 24) * 3_600_000 - 86_400_000 / 2);
      for (const legalBasis of LEGAL_BASES) {
        for (const repeatOffender of [false, true]) {
          const days = maxDurationDays(start, legalBasis, repeatOffender);
          const order = timing({ legalBasis, repeatOffender, startsAt: start.toISOString() });
          const most = codeOf(() => checkOrderRules({ ...order, durationDays: days }, NOW));
          const over = codeOf(() => checkOrderRules({ ...order, durationDays: days + 1 }, NOW));
          if (most !== 'OK' || over !== 'ORDER.DURATION_EXCEEDED')
            disagreements.push(`${start.toISOString()} ${legalBasis} ${repeatOffender}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('dates', () => {
  it.each([
    ['decision today (Paris)', { decisionDate: '2026-11-28', startsAt: undefined }, 'OK'],
    ['decision tomorrow', { decisionDate: '2026-11-29' }, 'ORDER.DECISION_IN_FUTURE'],
    ['decision the day the law came into force', { decisionDate: '2024-05-23' }, 'OK'],
    ['decision the day before the law', { decisionDate: '2024-05-22' }, 'ORDER.DECISION_BEFORE_LAW'],
    ['start on the decision day (Paris midnight)', { decisionDate: '2026-11-20', startsAt: '2026-11-19T23:00:00Z' }, 'OK'],
    [
      'start the day before the decision (Paris)',
      { decisionDate: '2026-11-20', startsAt: '2026-11-19T22:59:59Z' },
      'ORDER.START_BEFORE_DECISION',
    ],
    ['start now by default', { startsAt: undefined }, 'OK'],
    ['start 366 days ahead', { startsAt: new Date(NOW.getTime() + 366 * 86_400_000).toISOString() }, 'OK'],
    ['start 367 days ahead', { startsAt: new Date(NOW.getTime() + 367 * 86_400_000).toISOString() }, 'ORDER.START_TOO_FAR'],
    ['started in the past, still running', { startsAt: '2026-11-21T00:00:00Z', durationDays: 30 }, 'OK'],
    ['started in the past, already over', { startsAt: '2026-11-21T00:00:00Z', durationDays: 7 }, 'ORDER.ALREADY_ENDED'],
    // An end at the very instant of registration is over already; a millisecond later it still runs.
    [
      'ends exactly as it is registered',
      { startsAt: '2026-11-21T00:00:00Z', durationDays: undefined, endsAt: NOW.toISOString() },
      'ORDER.ALREADY_ENDED',
    ],
    [
      'ends a millisecond after it is registered',
      { startsAt: '2026-11-21T00:00:00Z', durationDays: undefined, endsAt: new Date(NOW.getTime() + 1).toISOString() },
      'OK',
    ],
    ['unknown offence', { offence: 'jaywalking' }, 'ORDER.UNKNOWN_OFFENCE'],
    ['every listed offence code is accepted', { offence: 'hate_speech' }, 'OK'],
  ] as [string, Partial<OrderTiming>, string][])('%s', (_name, overrides, expected) => {
    expect(codeOf(() => checkOrderRules(timing(overrides), NOW))).toBe(expected);
  });

  it('computes the end in months and days on the Paris calendar: the wall-clock time carries over summer time', () => {
    // 1 March 2027 03:24 Paris (02:24Z); summer time begins on 28 March.
    const startsAt = '2027-03-01T02:24:00Z';
    const at = (overrides: Partial<OrderTiming>) =>
      checkOrderRules(timing({ decisionDate: '2026-11-20', startsAt, durationDays: undefined, ...overrides }), NOW).endsAt.toISOString();
    expect(at({ duration: { months: 1 } })).toBe('2027-04-01T01:24:00.000Z');
    expect(at({ duration: { days: 30 } })).toBe('2027-03-31T01:24:00.000Z');
    expect(at({ durationDays: 30 })).toBe('2027-03-31T01:24:00.000Z');
    expect(at({ duration: { months: 1, days: 2 } })).toBe('2027-04-03T01:24:00.000Z');
  });

  it('defaults the start to now and computes the end from durationDays', () => {
    expect(checkOrderRules(timing({ startsAt: undefined, durationDays: 10 }), NOW)).toEqual({
      startsAt: NOW,
      endsAt: new Date('2026-12-08T10:00:00Z'),
    });
  });
});

describe('orderStatus follows the window', () => {
  const window = { startsAt: new Date('2026-12-01T00:00:00Z'), endsAt: new Date('2027-01-01T00:00:00Z'), revokedAt: null };
  it.each([
    ['2026-11-30T23:59:59.999Z', 'scheduled'],
    ['2026-12-01T00:00:00.000Z', 'active'],
    ['2026-12-31T23:59:59.999Z', 'active'],
    ['2027-01-01T00:00:00.000Z', 'expired'],
  ])('at %s: %s', (at, status) => {
    expect(orderStatus(window, new Date(at))).toBe(status);
  });
  it('revoked wins', () => {
    expect(orderStatus({ ...window, revokedAt: new Date('2026-12-02T00:00:00Z') }, new Date('2026-12-03T00:00:00Z'))).toBe('revoked');
  });
});

describe('what the clerk is told', () => {
  function refusal(overrides: Partial<OrderTiming>) {
    try {
      checkOrderRules(timing(overrides), NOW);
    } catch (error) {
      if (error instanceof DomainError) return { code: error.code, detail: error.detail, errors: error.errors };
      throw error;
    }
    throw new Error('accepted');
  }

  it.each([
    [
      { offence: 'jaywalking' },
      'ORDER.UNKNOWN_OFFENCE',
      'Code pénal 131-35-1 applies to the offences listed in GET /v1/offences',
      [{ path: 'offence', message: 'not in the offence list' }],
    ],
    [
      { decisionDate: '2026-11-29' },
      'ORDER.DECISION_IN_FUTURE',
      'The decision date is after today (2026-11-28, Paris time)',
      [{ path: 'decisionDate', message: 'in the future' }],
    ],
    [
      { decisionDate: '2024-05-22' },
      'ORDER.DECISION_BEFORE_LAW',
      'Art. 131-35-1 Code pénal exists since loi n° 2024-449 (in force 2024-05-23)',
      [{ path: 'decisionDate', message: 'before the law' }],
    ],
    [
      { startsAt: '2026-11-19T22:59:59Z' },
      'ORDER.START_BEFORE_DECISION',
      'A ban cannot start before the decision that orders it',
      [{ path: 'startsAt', message: 'before decisionDate' }],
    ],
    [
      { startsAt: '2027-12-01T00:00:00Z' },
      'ORDER.START_TOO_FAR',
      'A ban starts at most 366 days ahead',
      [{ path: 'startsAt', message: 'too far in the future' }],
    ],
    [
      { endsAt: START, durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
      'The ban must end after it starts',
      [{ path: 'endsAt', message: 'not after startsAt' }],
    ],
    [
      { durationDays: 0 },
      'ORDER.DURATION_EXCEEDED',
      'The ban must end after it starts',
      [{ path: 'durationDays', message: 'not after startsAt' }],
    ],
    [
      { durationDays: 183 },
      'ORDER.DURATION_EXCEEDED',
      'Code pénal 131-35-1: at most 6 months for this order (conviction); the ban may run until 2027-05-31T23:00:00.000Z',
      [{ path: 'durationDays', message: 'longer than 6 months' }],
    ],
    [
      { duration: { months: 7 }, durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
      'Code pénal 131-35-1: at most 6 months for this order (conviction); the ban may run until 2027-05-31T23:00:00.000Z',
      [{ path: 'duration', message: 'longer than 6 months' }],
    ],
    [
      { repeatOffender: true, endsAt: '2027-12-01T00:00:01Z', durationDays: undefined },
      'ORDER.DURATION_EXCEEDED',
      'Code pénal 131-35-1: at most 12 months for this order (conviction, repeat offender); the ban may run until 2027-12-01T00:00:00.000Z',
      [{ path: 'endsAt', message: 'longer than 12 months' }],
    ],
    [
      { legalBasis: 'probation', repeatOffender: true, durationDays: 200 },
      'ORDER.DURATION_EXCEEDED',
      'Code pénal 131-35-1: at most 6 months for this order (probation, repeat offender); the ban may run until 2027-05-31T23:00:00.000Z',
      [{ path: 'durationDays', message: 'longer than 6 months' }],
    ],
    [
      { startsAt: '2026-11-21T00:00:00Z', durationDays: 7 },
      'ORDER.ALREADY_ENDED',
      'The ban would end before it is registered',
      [{ path: 'durationDays', message: 'in the past' }],
    ],
    [
      { startsAt: '2026-11-21T00:00:00Z', durationDays: undefined, endsAt: '2026-11-25T00:00:00Z' },
      'ORDER.ALREADY_ENDED',
      'The ban would end before it is registered',
      [{ path: 'endsAt', message: 'in the past' }],
    ],
  ] as [Partial<OrderTiming>, string, string, { path: string; message: string }[]][])(
    '%j: %s, naming the field and why',
    (overrides, code, detail, errors) => {
      expect(refusal(overrides)).toEqual({ code, detail, errors });
    },
  );

  it('takes the end from endsAt over durationDays when both are given', () => {
    expect(checkOrderRules(timing({ durationDays: 400, endsAt: '2027-01-01T00:00:00Z' }), NOW).endsAt).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
  });
});
