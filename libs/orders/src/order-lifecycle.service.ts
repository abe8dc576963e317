import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { queryRows } from '@ostracon/database';
import { DirectivePlanner, EnforcementStore } from '@ostracon/enforcement';
import { PrivateSetStore } from '@ostracon/private-checks';
import type { DataSource, EntityManager } from 'typeorm';

export interface OrderLifecycleTick {
  activated: number;
  expired: number;
  purged: number;
}

const BATCH = 500;

/**
 * An order's time-based transitions, driven from PostgreSQL state with the injected clock. Each is
 * an UPDATE … WHERE <not yet done> … FOR UPDATE SKIP LOCKED RETURNING, so any number of workers may
 * run it, as often as they like, after any restart: every transition happens once. What they mean
 * for the platforms goes through libs/enforcement.
 */
@Injectable()
export class OrderLifecycle {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly planner: DirectivePlanner,
    private readonly enforcement: EnforcementStore,
    private readonly privateSets: PrivateSetStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async tick(): Promise<OrderLifecycleTick> {
    const now = this.clock.now();
    const ticked = { activated: await this.activate(now), expired: await this.expire(now), purged: await this.purge(now) };
    // The private sets' removals of purged tags, once followers have had a day to see them.
    await this.privateSets.forgetUnheld(now);
    return ticked;
  }

  /** scheduled → active at startsAt; its suspend directives become due at the same instant. */
  private activate(now: Date): Promise<number> {
    return this.passMilestone(now, 'activated_at', 'starts_at', 'order.activated');
  }

  /** active → expired at endsAt: the platforms are told to lift. */
  private expire(now: Date): Promise<number> {
    return this.passMilestone(now, 'expired_at', 'ends_at', 'order.expired', (em, id) =>
      this.planner.planLifts(em, id, now, 'system:lifecycle'),
    );
  }

  /**
   * The orders whose `due` instant has come and whose `stamp` is not set yet (nor revoked): stamped
   * once, each with what it means for the platforms, the relays woken and the event audited.
   */
  private async passMilestone(
    now: Date,
    stamp: 'activated_at' | 'expired_at',
    due: 'starts_at' | 'ends_at',
    type: 'order.activated' | 'order.expired',
    then?: (em: EntityManager, orderId: string) => Promise<unknown>,
  ): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const rows: { id: string }[] = await queryRows(
        em,
        `UPDATE ban_orders SET ${stamp} = $1
         WHERE id IN (SELECT id FROM ban_orders WHERE ${stamp} IS NULL AND revoked_at IS NULL AND ${due} <= $1
                      ORDER BY ${due} LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [now, BATCH],
      );
      if (rows.length === 0) return 0;
      for (const r of rows) await then?.(em, r.id);
      await this.enforcement.wakeRelays(em);
      await this.audit.recordMany(
        em,
        rows.map((r) => ({ type, actor: 'system:lifecycle' as const, orderId: r.id })),
      );
      // In or out of the platforms' private sets from this commit (last: the sets' lock is held to the commit).
      await this.privateSets.refresh(
        em,
        rows.map((r) => r.id),
        now,
      );
      return rows.length;
    });
  }

  /** RGPD: after the order ends plus the retention period, its identifying data goes (docs/legal.md). */
  private async purge(now: Date): Promise<number> {
    const horizon = new Date(now.getTime() - this.config.retention.days * 86_400_000);
    return this.dataSource.transaction(async (em) => {
      const rows: { id: string }[] = await queryRows(
        em,
        `UPDATE ban_orders SET purged_at = $1
         WHERE id IN (SELECT id FROM ban_orders WHERE purged_at IS NULL AND LEAST(ends_at, revoked_at) <= $2
                        -- Its end already passed through the lifecycle (and out of the private sets).
                        AND (revoked_at IS NOT NULL OR expired_at IS NOT NULL)
                      LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [now, horizon, BATCH],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      const signals: { order_id: string; n: string }[] = await em.query(
        `WITH gone AS (DELETE FROM order_signals WHERE order_id = ANY($1::uuid[]) RETURNING order_id)
         SELECT order_id, count(*) AS n FROM gone GROUP BY order_id`,
        [ids],
      );
      await this.enforcement.forgetAccounts(em, ids);
      const removed = new Map(signals.map((s) => [s.order_id, Number(s.n)]));
      await this.audit.recordMany(
        em,
        ids.map((id) => ({
          type: 'order.purged' as const,
          actor: 'system:lifecycle' as const,
          orderId: id,
          data: { signalDigestsDeleted: removed.get(id) ?? 0, retentionDays: this.config.retention.days },
        })),
      );
      return rows.length;
    });
  }
}
