import type { BanOrder } from './ban-order.entity';
import type { OrderPlatformState } from './order-changes';
import { orderStatus } from './order-rules';
import type { OrderView } from './orders.schemas';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The order as the API shows it: its terms, and per platform how far enforcement got; never a raw signal or account id. */
export function orderView(order: BanOrder, platforms: OrderPlatformState[], now: Date): OrderView {
  return {
    id: order.id,
    status: orderStatus(order, now),
    courtReference: order.courtReference,
    court: order.court,
    decisionDate: order.decisionDate,
    legalBasis: order.legalBasis,
    offence: order.offence,
    repeatOffender: order.repeatOffender,
    startsAt: order.startsAt.toISOString(),
    endsAt: order.endsAt.toISOString(),
    signalCount: order.signalCount,
    platforms: platforms.map((p) => ({
      platform: p.platformId,
      status: p.status,
      accountCount: p.accountCount,
      deliveredAt: iso(p.deliveredAt),
      enforcedAt: iso(p.enforcedAt),
      slaDeadline: iso(p.slaDeadline),
      liftedAt: iso(p.liftedAt),
      outcome: p.outcome,
      slaMet: p.slaMet,
      overdue: p.overdue,
    })),
    createdAt: order.createdAt.toISOString(),
    revokedAt: iso(order.revokedAt),
    revocation:
      order.revokedAt && order.endedBy !== 'relief' && order.endedBy !== 'appeal_quashed' && order.revocationReason
        ? { reason: order.revocationReason, decisionReference: order.revocationDecisionReference ?? '' }
        : null,
    appeal:
      order.appealedAt && order.appealLodgedOn && order.appealReference
        ? {
            lodgedOn: order.appealLodgedOn,
            reference: order.appealReference,
            recordedAt: order.appealedAt.toISOString(),
            outcome: order.appealOutcome,
            decidedOn: order.appealDecidedOn,
            decisionReference: order.appealDecisionReference,
            decidedAt: iso(order.appealDecidedAt),
          }
        : null,
    relief:
      order.endedBy === 'relief' && order.revokedAt && order.reliefDecidedOn && order.reliefDecisionReference
        ? { decidedOn: order.reliefDecidedOn, decisionReference: order.reliefDecisionReference, recordedAt: order.revokedAt.toISOString() }
        : null,
  };
}
