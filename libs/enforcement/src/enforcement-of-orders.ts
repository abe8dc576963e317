import { Injectable } from '@nestjs/common';
import { type LinkedDirectiveState, type OrderChange, OrderEnforcement, type OrderPlatformState } from '@ostracon/orders';
import type { EntityManager } from 'typeorm';
import { DirectivePlanner } from './directive-planner';
import { EnforcementReads } from './enforcement.reads';
import { EnforcementStore } from './enforcement.store';
import { overdue, overdueSql, slaMet } from './sla';

/** What an order's changes mean for its platforms (the enforcement stage of OrderChanges, libs/orders). */
@Injectable()
export class EnforcementOfOrders extends OrderEnforcement {
  constructor(
    private readonly planner: DirectivePlanner,
    private readonly store: EnforcementStore,
    private readonly reads: EnforcementReads,
  ) {
    super();
  }

  async onOrderChange(em: EntityManager, change: OrderChange): Promise<void> {
    switch (change.type) {
      case 'created':
        await this.planner.planOrder(em, change.order, change.platforms);
        return;
      case 'revoked':
        await this.planner.planLifts(em, change.orderId, change.at, change.actor);
        return;
      case 'appealed':
        await this.planner.planSuspension(em, change.orderId, change.at, change.actor);
        return;
      case 'appeal_confirmed':
        await this.planner.planResumption(em, change.order);
        return;
      case 'appeal_quashed':
        // The suspension already told every platform to lift: this finds nothing left (planLifts is idempotent).
        await this.planner.planLifts(em, change.orderId, change.at, change.actor);
        return;
      case 'relieved':
        await this.planner.planLifts(em, change.orderId, change.at, change.actor);
        return;
      case 'activated':
        // Its suspends became due at startsAt: the relays need not wait for their next poll.
        await this.store.wakeRelays(em);
        return;
      case 'expired':
        for (const id of change.orderIds) await this.planner.planLifts(em, id, change.at, 'system:lifecycle');
        await this.store.wakeRelays(em);
        return;
      case 'purged':
        await this.store.forgetAccounts(em, change.orderIds);
        return;
      case 'linked_accepted':
        await this.planner.planLinkedAccount(em, change.order, change.platformId, change.reportId, change.at);
        return;
    }
  }

  linkedDirectivesOf(runner: Pick<EntityManager, 'query'>, orderId: string): Promise<LinkedDirectiveState[]> {
    return this.reads.linkedOf(runner, orderId);
  }

  async platformsOf(runner: Pick<EntityManager, 'query'>, orderIds: string[], now: Date): Promise<OrderPlatformState[]> {
    const platforms = await this.reads.platformsOf(runner, orderIds);
    return platforms.map(({ acknowledgedAt, ...p }) => ({
      ...p,
      slaMet: slaMet(p.slaDeadline, acknowledgedAt, now),
      overdue: overdue(p.status, p.slaDeadline, now),
    }));
  }

  overdueSql(op: string, at: string): string {
    return overdueSql(op, at);
  }
}
