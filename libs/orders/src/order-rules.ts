import { DomainError, parisDate } from '@ostracon/common';
import { isKnownOffence } from './offences';
import { OrderErrors } from './orders.errors';
import type { LegalBasis } from './orders.schemas';

/** Loi n° 2024-449 of 21 May 2024 (JO of 22 May), in force the next day: no ban before it. */
export const LAW_IN_FORCE = '2024-05-23';
const MAX_START_AHEAD_DAYS = 366;
const DAY_MS = 86_400_000;

export interface OrderTiming {
  decisionDate: string;
  legalBasis: LegalBasis;
  offence: string;
  repeatOffender: boolean;
  startsAt?: string;
  durationDays?: number;
  endsAt?: string;
}

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

/** Checks every rule of docs/legal.md that bears on an order's dates; returns its window. */
export function checkOrderRules(order: OrderTiming, now: Date): { startsAt: Date; endsAt: Date } {
  if (!isKnownOffence(order.offence)) {
    throw new DomainError(OrderErrors.unknownOffence, 'Code pénal 131-35-1 applies to the offences listed in GET /v1/offences', [
      { path: 'offence', message: 'not in the offence list' },
    ]);
  }
  const today = parisDate(now);
  if (order.decisionDate > today) {
    throw new DomainError(OrderErrors.decisionInFuture, `The decision date is after today (${today}, Paris time)`, [
      { path: 'decisionDate', message: 'in the future' },
    ]);
  }
  if (order.decisionDate < LAW_IN_FORCE) {
    throw new DomainError(
      OrderErrors.decisionBeforeLaw,
      `Art. 131-35-1 Code pénal exists since loi n° 2024-449 (in force ${LAW_IN_FORCE})`,
      [{ path: 'decisionDate', message: 'before the law' }],
    );
  }

  const startsAt = order.startsAt ? new Date(order.startsAt) : now;
  // The ban runs once the decision is enforceable: never before the day it was taken.
  if (parisDate(startsAt) < order.decisionDate) {
    throw new DomainError(OrderErrors.startBeforeDecision, 'A ban cannot start before the decision that orders it', [
      { path: 'startsAt', message: 'before decisionDate' },
    ]);
  }
  if (startsAt.getTime() > now.getTime() + MAX_START_AHEAD_DAYS * DAY_MS) {
    throw new DomainError(OrderErrors.startTooFar, `A ban starts at most ${MAX_START_AHEAD_DAYS} days ahead`, [
      { path: 'startsAt', message: 'too far in the future' },
    ]);
  }

  const endsAt = order.endsAt ? new Date(order.endsAt) : new Date(startsAt.getTime() + order.durationDays! * DAY_MS);
  const months = maxDurationMonths(order.legalBasis, order.repeatOffender);
  const limit = addMonths(startsAt, months);
  const path = order.endsAt ? 'endsAt' : 'durationDays';
  if (endsAt.getTime() <= startsAt.getTime()) {
    throw new DomainError(OrderErrors.durationExceeded, 'The ban must end after it starts', [{ path, message: 'not after startsAt' }]);
  }
  if (endsAt.getTime() > limit.getTime()) {
    throw new DomainError(
      OrderErrors.durationExceeded,
      `Code pénal 131-35-1: at most ${months} months for this order (${order.legalBasis}${order.repeatOffender ? ', repeat offender' : ''}); the ban may run until ${limit.toISOString()}`,
      [{ path, message: `longer than ${months} months` }],
    );
  }
  if (endsAt.getTime() <= now.getTime()) {
    throw new DomainError(OrderErrors.alreadyEnded, 'The ban would end before it is registered', [{ path, message: 'in the past' }]);
  }
  return { startsAt, endsAt };
}

/** An order's status at an instant: derived from its window and revocation, never stored. */
export function orderStatus(order: { startsAt: Date; endsAt: Date; revokedAt: Date | null }, now: Date) {
  if (order.revokedAt) return 'revoked' as const;
  if (now.getTime() >= order.endsAt.getTime()) return 'expired' as const;
  if (now.getTime() >= order.startsAt.getTime()) return 'active' as const;
  return 'scheduled' as const;
}
