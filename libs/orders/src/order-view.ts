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
      order.revokedAt && order.revocationReason
        ? { reason: order.revocationReason, decisionReference: order.revocationDecisionReference ?? '' }
        : null,
  };
}
