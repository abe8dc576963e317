import { Injectable } from '@nestjs/common';
import { type OrderChange, OrderPrivateSets } from '@ostracon/orders';
import type { EntityManager } from 'typeorm';
import { PrivateSetStore } from './private-set.store';

/**
 * What an order's changes mean for the platforms' private sets (the last stage of OrderChanges,
 * libs/orders): a new order's elements, from the prehashes at hand; its tags in or out of the sets
 * of the platforms it names as it starts, ends or is revoked (docs/private-checks.md § Intake).
 */
@Injectable()
export class PrivateSetsOfOrders extends OrderPrivateSets {
  constructor(private readonly store: PrivateSetStore) {
    super();
  }

  async onOrderChange(em: EntityManager, change: OrderChange): Promise<void> {
    switch (change.type) {
      case 'created':
        await this.store.addOrder(em, change.order.id, change.signals, change.at);
        return;
      case 'linked_accepted':
        // The accepted account's signals: elements as for a new order's, in that platform's set only (decision 0026).
        await this.store.addOrder(em, change.order.id, change.signals, change.at);
        return;
      case 'revoked':
      case 'appealed':
      case 'appeal_confirmed':
      case 'appeal_quashed':
      case 'relieved':
        // Out of the sets while suspended or once ended; back in when a confirmed order is in force.
        await this.store.refresh(em, [change.orderId], change.at);
        return;
      case 'activated':
      case 'expired':
        await this.store.refresh(em, change.orderIds, change.at);
        return;
      case 'purged':
        // Out of the sets already (purging needs the order ended through the lifecycle first); its
        // elements went with its signals, so the removals only they held may be forgotten now.
        await this.store.forgetUnheld(change.at, em);
        return;
    }
  }
}
