import { Injectable } from '@nestjs/common';
import { queryRows } from '@ostracon/database';
import { type Actor, type AuditEventInput, AuditService } from '@ostracon/audit';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/**
 * Writes directives and their outbox rows inside the caller's transaction (the order's, a
 * revocation's, an expiry's), so a directive exists exactly when the change that calls for it
 * does. The unique (order, platform, type) makes every plan idempotent.
 */
@Injectable()
export class DirectivePlanner {
  constructor(private readonly audit: AuditService) {}

  /** One suspend per platform, not relayed before the order starts. */
  async planSuspends(em: EntityManager, order: { id: string; startsAt: Date; endsAt: Date }, platformIds: string[]): Promise<void> {
    const ids = platformIds.map(() => uuidv7());
    await em.query(
      `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until)
       SELECT id, $2, platform_id, 'suspend', $3, $3, $4 FROM unnest($1::uuid[], $5::text[]) AS t(id, platform_id)`,
      [ids, order.id, order.startsAt, order.endsAt, platformIds],
    );
    await em.query(`INSERT INTO outbox (directive_id) SELECT unnest($1::uuid[])`, [ids]);
  }

  /**
   * The order ends (revoked or expired): a suspend no platform has seen yet is cancelled;
   * every other platform is told to lift, once its suspend has settled (the relay keeps that order).
   */
  async planLifts(em: EntityManager, orderId: string, now: Date, actor: Actor): Promise<{ cancelled: string[]; lifting: string[] }> {
    const cancelled: { id: string; platform_id: string }[] = await queryRows(
      em,
      `UPDATE directives SET status = 'cancelled' WHERE order_id = $1 AND type = 'suspend' AND status = 'pending'
       RETURNING id, platform_id`,
      [orderId],
    );
    if (cancelled.length > 0) {
      const ids = cancelled.map((c) => c.id);
      await em.query(`UPDATE outbox SET relayed_at = $2 WHERE directive_id = ANY($1::uuid[]) AND relayed_at IS NULL`, [ids, now]);
      await em.query(
        `UPDATE order_platforms SET status = 'lifted', lifted_at = $3, outcome = 'cancelled_before_delivery'
         WHERE order_id = $1 AND platform_id = ANY($2::text[])`,
        [orderId, cancelled.map((c) => c.platform_id), now],
      );
    }
    const suspends: { platform_id: string; effective_until: Date }[] = await em.query(
      `SELECT platform_id, effective_until FROM directives WHERE order_id = $1 AND type = 'suspend' AND status <> 'cancelled'`,
      [orderId],
    );
    const lifting: string[] = [];
    if (suspends.length > 0) {
      const ids = suspends.map(() => uuidv7());
      const inserted: { id: string; platform_id: string }[] = await em.query(
        `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until)
         SELECT t.id, $2, t.platform_id, 'lift', $3, $3, t.until FROM unnest($1::uuid[], $4::text[], $5::timestamptz[]) AS t(id, platform_id, until)
         ON CONFLICT (order_id, platform_id, type) DO NOTHING
         RETURNING id, platform_id`,
        [ids, orderId, now, suspends.map((s) => s.platform_id), suspends.map((s) => s.effective_until)],
      );
      if (inserted.length > 0) {
        await em.query(`INSERT INTO outbox (directive_id) SELECT unnest($1::uuid[])`, [inserted.map((i) => i.id)]);
        await em.query(`UPDATE order_platforms SET status = 'lifting' WHERE order_id = $1 AND platform_id = ANY($2::text[])`, [
          orderId,
          inserted.map((i) => i.platform_id),
        ]);
        lifting.push(...inserted.map((i) => i.platform_id));
      }
    }
    const events: AuditEventInput[] = cancelled.map((c) => ({
      type: 'directive.cancelled',
      actor,
      orderId,
      platformId: c.platform_id,
      data: { directiveId: c.id, reason: 'order ended before the platform was told' },
    }));
    await this.audit.recordMany(em, events);
    return { cancelled: cancelled.map((c) => c.platform_id), lifting };
  }
}
