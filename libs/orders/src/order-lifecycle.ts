import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { DataSource, type EntityManager } from 'typeorm';
import { LinkedAccountStore } from './linked-account.store';
import { OrderChanges } from './order-changes';
import { OrderStore } from './order.store';

export interface OrderLifecycleTick {
  activated: number;
  expired: number;
  purged: number;
}

const BATCH = 500;

/**
 * An order's time-based transitions, driven from PostgreSQL state with the injected clock: each a
 * transition of OrderStore that any number of workers may run, as often as they like, after any
 * restart (every transition happens once), published with what it means for the platforms and the
 * private sets in the same transaction.
 */
@Injectable()
export class OrderLifecycle {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly changes: OrderChanges,
    private readonly linked: LinkedAccountStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async tick(): Promise<OrderLifecycleTick> {
    const now = this.clock.now();
    return { activated: await this.activate(now), expired: await this.expire(now), purged: await this.purge(now) };
  }

  /** scheduled → active at startsAt; its suspend directives become due at the same instant. */
  private activate(now: Date): Promise<number> {
    return this.passMilestone(now, 'activated', (em) => this.store.activateDue(em, now, BATCH));
  }

  /** active → expired at endsAt: the platforms are told to lift. */
  private expire(now: Date): Promise<number> {
    return this.passMilestone(now, 'expired', (em) => this.store.expireDue(em, now, BATCH));
  }

  /** The orders a milestone passed for, stamped once, published and audited in one transaction. */
  private passMilestone(now: Date, type: 'activated' | 'expired', stamp: (em: EntityManager) => Promise<string[]>): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const ids = await stamp(em);
      if (ids.length === 0) return 0;
      await this.changes.publish(
        em,
        { type, at: now, orderIds: ids },
        ids.map((id) => ({ type: `order.${type}` as const, actor: 'system:lifecycle' as const, orderId: id })),
      );
      return ids.length;
    });
  }

  /** RGPD: after the order ends plus the retention period, its identifying data goes (docs/legal.md). */
  private purge(now: Date): Promise<number> {
    const horizon = new Date(now.getTime() - this.config.retention.days * 86_400_000);
    return this.dataSource.transaction(async (em) => {
      const purged = await this.store.purgeEndedBefore(em, now, horizon, BATCH);
      if (purged.size === 0) return 0;
      // Linked-account reports go with the order (decision 0026).
      await this.linked.purge(em, [...purged.keys()]);
      await this.changes.publish(
        em,
        { type: 'purged', at: now, orderIds: [...purged.keys()] },
        [...purged].map(([id, signalDigestsDeleted]) => ({
          type: 'order.purged' as const,
          actor: 'system:lifecycle' as const,
          orderId: id,
          data: { signalDigestsDeleted, retentionDays: this.config.retention.days },
        })),
      );
      return purged.size;
    });
  }
}
