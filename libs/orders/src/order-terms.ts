/**
 * The terms an order may have, as plain computations: the console imports this file as it is
 * (apps/console/vite.config.mts), so that the form says what the API will refuse by the same
 * code. It imports nothing: no Node, no Nest, no zod.
 */

/** Loi n° 2024-449 of 21 May 2024 (JO of 22 May), in force the next day: no ban before it. */
export const LAW_IN_FORCE = '2024-05-23';
export const DAY_MS = 86_400_000;

export const LEGAL_BASES = ['conviction', 'pretrial_supervision', 'probation'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** A court reference: letters, digits, spaces and . _ / -, starting with a letter or a digit. */
export const COURT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/;

/**
 * Code pénal 131-35-1: 6 months at most, 12 for a legal repeat offender (récidive légale).
 * A ban ordered under contrôle judiciaire or sursis probatoire is 6 months at most whatever
 * the record.
 */
export function maxDurationMonths(legalBasis: LegalBasis, repeatOffender: boolean): 6 | 12 {
  return legalBasis === 'conviction' && repeatOffender ? 12 : 6;
}

/**
 * Adds calendar months "de quantième à quantième" (the day of the month carries over; a day
 * the target month lacks becomes its last day), on the UTC calendar.
 */
export function addMonths(at: Date, months: number): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const result = new Date(at);
  result.setUTCFullYear(y, m, Math.min(at.getUTCDate(), lastDay));
  return result;
}

/**
 * The most days (`durationDays`, of 24 hours) a ban starting at `startsAt` may last: a whole
 * number, since addMonths keeps the UTC time of day.
 */
export function maxDurationDays(startsAt: Date, legalBasis: LegalBasis, repeatOffender: boolean): number {
  const limit = addMonths(startsAt, maxDurationMonths(legalBasis, repeatOffender));
  return (limit.getTime() - startsAt.getTime()) / DAY_MS;
}
