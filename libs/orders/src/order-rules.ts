import { DomainError, parisDate } from '@ostracon/common';
import { isKnownOffence } from './offences';
import { DAY_MS, type Duration, LAW_IN_FORCE, type LegalBasis, endOf, latestEnd, maxDurationMonths } from './order-terms';
import { OrderErrors } from './orders.errors';

const MAX_START_AHEAD_DAYS = 366;

export interface OrderTiming {
  decisionDate: string;
  legalBasis: LegalBasis;
  offence: string;
  repeatOffender: boolean;
  startsAt?: string;
  duration?: Duration;
  durationDays?: number;
  endsAt?: string;
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

  // Months and days on the Paris calendar: the wall-clock time of the start is that of the end.
  const endsAt = order.endsAt ? new Date(order.endsAt) : endOf(startsAt, order.duration ?? { days: order.durationDays });
  const months = maxDurationMonths(order.legalBasis, order.repeatOffender);
  const limit = latestEnd(startsAt, order.legalBasis, order.repeatOffender);
  const path = order.endsAt ? 'endsAt' : order.duration ? 'duration' : 'durationDays';
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

/** What an order's status is derived from (decision 0002; the appeals' states: decision 0027). */
export interface OrderState {
  startsAt: Date;
  endsAt: Date;
  revokedAt: Date | null;
  endedBy?: 'revocation' | 'relief' | 'appeal_quashed' | null;
  suspendedAt?: Date | null;
}

/**
 * An order's status at an instant: derived from its window, its early end and its suspension,
 * never stored. An order ended early says how (revoked, relieved, quashed on appeal); a suspended
 * one is suspended whatever its window, which it gets back, or a new one, when the appeal is decided.
 */
export function orderStatus(order: OrderState, now: Date) {
  if (order.revokedAt) {
    if (order.endedBy === 'relief') return 'relieved' as const;
    if (order.endedBy === 'appeal_quashed') return 'quashed' as const;
    return 'revoked' as const;
  }
  if (order.suspendedAt) return 'suspended' as const;
  if (now.getTime() >= order.endsAt.getTime()) return 'expired' as const;
  if (now.getTime() >= order.startsAt.getTime()) return 'active' as const;
  return 'scheduled' as const;
}

/**
 * The window of an order the court of appeal confirmed without setting new dates: what was left of
 * the ban when the appeal suspended it, counted from the resumption. An order that had not started
 * when it was suspended, and would still start later, keeps its window; one that had started runs
 * for the rest of its length from `now`.
 */
export function resumedWindow(order: { startsAt: Date; endsAt: Date }, suspendedAt: Date, now: Date): { startsAt: Date; endsAt: Date } {
  if (order.startsAt.getTime() > now.getTime()) return { startsAt: order.startsAt, endsAt: order.endsAt };
  const length = order.endsAt.getTime() - order.startsAt.getTime();
  const served = Math.max(0, Math.min(suspendedAt.getTime(), order.endsAt.getTime()) - order.startsAt.getTime());
  return { startsAt: now, endsAt: new Date(now.getTime() + length - served) };
}
