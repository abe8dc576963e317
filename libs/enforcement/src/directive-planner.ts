import { Injectable } from '@nestjs/common';
import type { Actor } from '@ostracon/common';
import { type AuditEventInput, AuditService } from '@ostracon/audit';
import type { EntityManager } from 'typeorm';
import { EnforcementStore } from './enforcement.store';

/**
 * What an order's changes mean for its platforms, inside the caller's transaction (the order's,
 * a revocation's, an expiry's), so a directive exists exactly when the change that calls for it
 * does. The unique (order, platform, type) makes every plan idempotent.
 */
@Injectable()
export class DirectivePlanner {
  constructor(
    private readonly store: EnforcementStore,
    private readonly audit: AuditService,
  ) {}

  /** A new order: its platforms, pending, and one suspend each, not relayed before the order starts. */
  async planOrder(
    em: EntityManager,
    order: { id: string; startsAt: Date; endsAt: Date },
    platforms: { platformId: string; accountCount: number; accountsEnc: Buffer; accountsKeyId: string }[],
  ): Promise<void> {
    await this.store.addPlatforms(em, order.id, platforms);
    await this.store.planSuspends(
      em,
      order,
      platforms.map((p) => p.platformId),
    );
  }

  /**
   * An appeal suspends the order: suspends delivered but unanswered stop running against the SLA
   * (`directive.sla_stopped`), and the platforms are told to lift as when it ends.
   */
  async planSuspension(em: EntityManager, orderId: string, now: Date, actor: Actor): Promise<{ cancelled: string[]; lifting: string[] }> {
    const stopped = await this.store.stopSlaClocks(em, orderId, now);
    await this.audit.recordMany(
      em,
      stopped.map((d) => ({
        type: 'directive.sla_stopped',
        actor,
        orderId,
        platformId: d.platformId,
        data: { directiveId: d.id, reason: 'order suspended by an appeal' },
      })),
    );
    return this.planLifts(em, orderId, now, actor);
  }

  /** The appeal confirmed the ban: every platform starts over with a new suspend, due at the new start. */
  async planResumption(em: EntityManager, order: { id: string; startsAt: Date; endsAt: Date }): Promise<number> {
    return this.store.planResumption(em, order);
  }

  /**
   * An accepted linked account (decision 0026): its own suspend on the platform that reported it,
   * lifted with the order's (planLifts takes every suspend of the order).
   */
  async planLinkedAccount(
    em: EntityManager,
    order: { id: string; startsAt: Date; endsAt: Date },
    platformId: string,
    reportId: string,
    now: Date,
  ): Promise<void> {
    await this.store.planLinkedSuspend(em, order, platformId, reportId, now);
  }

  /**
   * The order ends (revoked or expired): a suspend no platform has seen yet is cancelled; every
   * other platform is told to lift, once its suspend has settled (the relay keeps that order).
   */
  async planLifts(em: EntityManager, orderId: string, now: Date, actor: Actor): Promise<{ cancelled: string[]; lifting: string[] }> {
    const cancelled = await this.store.cancelUndelivered(em, orderId, now);
    const lifting = await this.store.planLifts(em, orderId, now);
    const events: AuditEventInput[] = cancelled.map((c) => ({
      type: 'directive.cancelled',
      actor,
      orderId,
      platformId: c.platformId,
      data: {
        directiveId: c.id,
        reason: 'order ended before the platform was told',
        ...(c.linkedReportId ? { linkedReportId: c.linkedReportId } : {}),
      },
    }));
    await this.audit.recordMany(em, events);
    return { cancelled: cancelled.map((c) => c.platformId), lifting };
  }
}
