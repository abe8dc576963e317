import { Injectable } from '@nestjs/common';
import { CHANNELS, type DirectivesRow, type OrderPlatformsRow, type PlatformsRow, queryRows } from '@ostracon/database';
import { orderRelations } from '@ostracon/orders';
import { PUSH_SQL } from '@ostracon/platforms';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  type AckOutcome,
  type Acknowledgeable,
  type Delivered,
  type DirectiveRef,
  type Relayed,
  type RelayedRow,
  type SlaBreach,
  relayedOf,
} from './enforcement.types';
import { slaDeadlineSql } from './sla';

type RefRow = Pick<DirectivesRow, 'id' | 'order_id' | 'platform_id' | 'type' | 'linked_report_id'>;

/**
 * The relay's ordering rule, on a row of `directives` named `d`: a lift waits until its platform's
 * suspend has settled, and a resumed order's suspend (a later round) until the lift before it has.
 */
export function notWaitingSql(d: string): string {
  return `NOT EXISTS (
    SELECT 1 FROM directives s
    WHERE s.order_id = ${d}.order_id AND s.platform_id = ${d}.platform_id AND s.status IN ('pending', 'queued')
      AND s.linked_report_id IS NOT DISTINCT FROM ${d}.linked_report_id
      AND ((${d}.type = 'lift' AND s.type = 'suspend' AND s.round <= ${d}.round)
        OR (${d}.type = 'suspend' AND s.type = 'lift' AND s.round < ${d}.round)))`;
}

/*
 * Look-ups by key, one row each, written as LATERAL subqueries with LIMIT 1: PostgreSQL plans them
 * as one probe of the key per row and cannot trade them for a scan. As plain joins or an EXISTS, on
 * tables without statistics yet (a freshly loaded database, the bench's), it read the backlog or a
 * whole table instead: `UPDATE … WHERE d.id = t.id AND d.status = 'queued'` took the partial index
 * of queued directives and read every one of them per batch (11.6 ms a batch of about 20 in the
 * bench, quadratic in the backlog), and the appeal's EXISTS became a hashed scan of every order.
 */

/**
 * The directive of id `id` if it is still `queued`, locked: the lock the UPDATE would take, the
 * status checked again on the row's newest version (EvalPlanQual) as the UPDATE's own WHERE was.
 */
const queuedDirective = (id: string) =>
  `(SELECT id, type, order_id FROM directives WHERE id = ${id} AND status = 'queued' LIMIT 1 FOR UPDATE)`;

/** The order of the directive `d` if an appeal suspends it now (decision 0027). */
const suspendedOrderOf = (d: string) => `(SELECT id FROM ${orderRelations.suspended} s WHERE s.id = ${d}.order_id LIMIT 1)`;

const refOf = (r: RefRow): DirectiveRef => ({
  id: r.id,
  orderId: r.order_id,
  platformId: r.platform_id,
  type: r.type,
  linkedReportId: r.linked_report_id,
});

/**
 * The one owner of `directives`, `outbox` and `order_platforms`: every way a row of them can change
 * is a method here, named after the transition (docs/enforcement.md draws them). Methods take the
 * caller's EntityManager and write in its transaction, so a transition exists exactly when the
 * change that calls for it does; the audit events are the callers'. Raw SQL throughout: bulk
 * transitions with `unnest` and `RETURNING` are what the enforcement path is made of
 * (docs/CONTRIBUTING.md, one way of talking to the database per lib). What only reads these tables
 * is in EnforcementReads and EnforcementMetricsQueries.
 */
@Injectable()
export class EnforcementStore {
  // --- At intake -------------------------------------------------------------------------------

  /** An order's platforms, each `pending` with its sealed accounts. */
  async addPlatforms(
    em: EntityManager,
    orderId: string,
    platforms: { platformId: string; accountCount: number; accountsEnc: Buffer; accountsKeyId: string }[],
  ): Promise<void> {
    await em.query(
      `INSERT INTO order_platforms (order_id, platform_id, status, account_count, accounts_enc, accounts_key_id)
       SELECT $1, t.platform_id, 'pending', t.account_count, t.accounts_enc, t.accounts_key_id
       FROM unnest($2::text[], $3::int[], $4::bytea[], $5::text[]) AS t(platform_id, account_count, accounts_enc, accounts_key_id)`,
      [
        orderId,
        platforms.map((p) => p.platformId),
        platforms.map((p) => p.accountCount),
        platforms.map((p) => p.accountsEnc),
        platforms.map((p) => p.accountsKeyId),
      ],
    );
  }

  /**
   * One suspend per platform, due when the order starts; each with its outbox row. `round` counts
   * the order's resumptions after an appeal (0 at intake): one suspend per platform and round.
   */
  async planSuspends(
    em: EntityManager,
    order: { id: string; startsAt: Date; endsAt: Date },
    platformIds: string[],
    round = 0,
  ): Promise<void> {
    const ids = platformIds.map(() => uuidv7());
    await em.query(
      `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until, round)
       SELECT id, $2, platform_id, 'suspend', $3, $3, $4, $6 FROM unnest($1::uuid[], $5::text[]) AS t(id, platform_id)`,
      [ids, order.id, order.startsAt, order.endsAt, platformIds, round],
    );
    await em.query(`INSERT INTO outbox (directive_id) SELECT unnest($1::uuid[])`, [ids]);
  }

  // --- When an appeal suspends the order, and when it resumes ------------------------------------

  /**
   * The order is suspended: suspends delivered but not answered yet no longer run against the
   * platform's SLA (their deadline cleared, `sla_stopped_at` stamped), nor do their platforms'.
   * Returns the directives whose clock stopped.
   */
  async stopSlaClocks(em: EntityManager, orderId: string, now: Date): Promise<{ id: string; platformId: string }[]> {
    const stopped = await queryRows<Pick<DirectivesRow, 'id' | 'platform_id'>>(
      em,
      `UPDATE directives SET sla_stopped_at = $2, sla_deadline = NULL
       WHERE order_id = $1 AND type = 'suspend' AND status = 'delivered' AND sla_breached_at IS NULL
       RETURNING id, platform_id`,
      [orderId, now],
    );
    if (stopped.length > 0) {
      await em.query(
        `UPDATE order_platforms SET sla_deadline = NULL WHERE order_id = $1 AND platform_id = ANY($2::text[]) AND status = 'delivered'`,
        [orderId, stopped.map((s) => s.platform_id)],
      );
    }
    return stopped.map((s) => ({ id: s.id, platformId: s.platform_id }));
  }

  /**
   * The order runs again after its appeal: every platform it names starts over (`pending`, nothing
   * delivered yet) and gets a new suspend in the next round, which the relay holds until the
   * previous round's lift has settled. Returns the round.
   */
  async planResumption(em: EntityManager, order: { id: string; startsAt: Date; endsAt: Date }): Promise<number> {
    const platforms = await queryRows<Pick<OrderPlatformsRow, 'platform_id'>>(
      em,
      `UPDATE order_platforms SET status = 'pending', delivered_at = NULL, enforced_at = NULL, sla_deadline = NULL, lifted_at = NULL,
         outcome = NULL, acknowledged_at = NULL
       WHERE order_id = $1 RETURNING platform_id`,
      [order.id],
    );
    const [last] = await queryRows<{ round: number }>(em, `SELECT coalesce(max(round), 0) AS round FROM directives WHERE order_id = $1`, [
      order.id,
    ]);
    const round = (last?.round ?? 0) + 1;
    await this.planSuspends(
      em,
      order,
      platforms.map((p) => p.platform_id),
      round,
    );
    // The accepted linked accounts (decision 0026) are suspended again with the order, in the same round.
    const linked = await queryRows<Pick<DirectivesRow, 'platform_id' | 'linked_report_id'>>(
      em,
      `SELECT DISTINCT platform_id, linked_report_id FROM directives
       WHERE order_id = $1 AND type = 'suspend' AND linked_report_id IS NOT NULL AND round = $2`,
      [order.id, round - 1],
    );
    for (const l of linked) await this.insertLinkedSuspend(em, order, l.platform_id, l.linked_report_id!, order.startsAt, round);
    return round;
  }

  /**
   * An accepted linked account's suspend (decision 0026), with its outbox row: due when the order
   * starts (at once if it has), once per report (unique report, type). Its account is the report's.
   */
  async planLinkedSuspend(
    em: EntityManager,
    order: { id: string; startsAt: Date; endsAt: Date },
    platformId: string,
    reportId: string,
    now: Date,
  ): Promise<void> {
    const from = order.startsAt.getTime() > now.getTime() ? order.startsAt : now;
    // In the order's current round (a resumption after an appeal starts a new one).
    const [last] = await queryRows<{ round: number }>(em, `SELECT coalesce(max(round), 0) AS round FROM directives WHERE order_id = $1`, [
      order.id,
    ]);
    await this.insertLinkedSuspend(em, order, platformId, reportId, from, last?.round ?? 0);
  }

  /** A linked account's suspend in a round, with its outbox row; once per report, type and round. */
  private async insertLinkedSuspend(
    em: EntityManager,
    order: { id: string; endsAt: Date },
    platformId: string,
    reportId: string,
    from: Date,
    round: number,
  ): Promise<void> {
    const inserted = await queryRows<Pick<DirectivesRow, 'id'>>(
      em,
      `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until, linked_report_id, round)
       VALUES ($1, $2, $3, 'suspend', $4, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING RETURNING id`,
      [uuidv7(), order.id, platformId, from, order.endsAt, reportId, round],
    );
    if (inserted.length > 0) await em.query(`INSERT INTO outbox (directive_id) VALUES ($1)`, [inserted[0]!.id]);
  }

  // --- When the order ends ----------------------------------------------------------------------

  /**
   * Suspends no platform has seen yet are cancelled (their outbox rows settled, their platforms
   * `lifted` with `cancelled_before_delivery`): there is nothing to lift there.
   */
  async cancelUndelivered(
    em: EntityManager,
    orderId: string,
    now: Date,
  ): Promise<{ id: string; platformId: string; linkedReportId: string | null }[]> {
    // The outbox rows first, then the directives: the order in which the relay takes them
    // (queueDue). The other way round, an appeal or a revocation made while the relay claimed the
    // order's first suspend deadlocked with it (40P01, a 500). Once the relay has committed, its
    // directive is `queued`, not cancelled here, and is lifted instead.
    await em.query(
      `SELECT o.id FROM outbox o JOIN directives d ON d.id = o.directive_id
       WHERE d.order_id = $1 AND d.type = 'suspend' AND d.status = 'pending' AND o.relayed_at IS NULL
       ORDER BY o.id FOR UPDATE OF o`,
      [orderId],
    );
    const cancelled = await queryRows<Pick<DirectivesRow, 'id' | 'platform_id' | 'linked_report_id'>>(
      em,
      `UPDATE directives SET status = 'cancelled' WHERE order_id = $1 AND type = 'suspend' AND status = 'pending'
       RETURNING id, platform_id, linked_report_id`,
      [orderId],
    );
    if (cancelled.length > 0) {
      const ids = cancelled.map((c) => c.id);
      await em.query(`UPDATE outbox SET relayed_at = $2 WHERE directive_id = ANY($1::uuid[]) AND relayed_at IS NULL`, [ids, now]);
      // The order's own suspends only: a linked account's has no row of its own in order_platforms.
      const own = cancelled.filter((c) => c.linked_report_id === null);
      if (own.length > 0) {
        await em.query(
          `UPDATE order_platforms SET status = 'lifted', lifted_at = $3, outcome = 'cancelled_before_delivery'
           WHERE order_id = $1 AND platform_id = ANY($2::text[])`,
          [orderId, own.map((c) => c.platform_id), now],
        );
      }
    }
    return cancelled.map((c) => ({ id: c.id, platformId: c.platform_id, linkedReportId: c.linked_report_id }));
  }

  /**
   * A lift for every suspend of the current round that went out, once (unique order, platform, type
   * and round; a linked account's: report, type and round); its platform goes `lifting`. The relay holds each lift until its suspend has settled. Returns the
   * platforms told to lift.
   */
  async planLifts(em: EntityManager, orderId: string, now: Date): Promise<string[]> {
    // The current round's suspends, the order's own and its linked accounts' (decision 0026): an
    // earlier round's were lifted when the appeal suspended the order.
    const suspends = await queryRows<Pick<DirectivesRow, 'platform_id' | 'effective_until' | 'round' | 'linked_report_id'>>(
      em,
      `SELECT platform_id, effective_until, round, linked_report_id FROM directives
       WHERE order_id = $1 AND type = 'suspend' AND status <> 'cancelled'
         AND round = (SELECT max(round) FROM directives WHERE order_id = $1 AND type = 'suspend')`,
      [orderId],
    );
    if (suspends.length === 0) return [];
    const ids = suspends.map(() => uuidv7());
    const inserted = await queryRows<Pick<DirectivesRow, 'id' | 'platform_id' | 'linked_report_id'>>(
      em,
      // No conflict target: the order's own unique (order, platform, type, round) and a linked one's (report, type, round) both apply.
      `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until, round, linked_report_id)
       SELECT t.id, $2, t.platform_id, 'lift', $3, $3, t.until, $7, t.linked
       FROM unnest($1::uuid[], $4::text[], $5::timestamptz[], $6::uuid[]) AS t(id, platform_id, until, linked)
       ON CONFLICT DO NOTHING
       RETURNING id, platform_id, linked_report_id`,
      [
        ids,
        orderId,
        now,
        suspends.map((s) => s.platform_id),
        suspends.map((s) => s.effective_until),
        suspends.map((s) => s.linked_report_id),
        suspends[0]!.round,
      ],
    );
    if (inserted.length === 0) return [];
    await em.query(`INSERT INTO outbox (directive_id) SELECT unnest($1::uuid[])`, [inserted.map((i) => i.id)]);
    const own = inserted.filter((i) => i.linked_report_id === null);
    if (own.length === 0) return [];
    await em.query(`UPDATE order_platforms SET status = 'lifting' WHERE order_id = $1 AND platform_id = ANY($2::text[])`, [
      orderId,
      own.map((i) => i.platform_id),
    ]);
    return own.map((i) => i.platform_id);
  }

  /** Tells the relays that something may be ready (at the caller's commit). */
  async wakeRelays(em: EntityManager): Promise<void> {
    await em.query(`SELECT pg_notify($1, '')`, [CHANNELS.outbox]);
  }

  /** RGPD: the accounts an order named are forgotten once its retention is over. */
  async forgetAccounts(em: EntityManager, orderIds: string[]): Promise<void> {
    await em.query(`UPDATE order_platforms SET accounts_enc = NULL, accounts_key_id = NULL WHERE order_id = ANY($1::uuid[])`, [orderIds]);
  }

  // --- The relay --------------------------------------------------------------------------------

  /**
   * Claims due outbox rows (FOR UPDATE SKIP LOCKED: relays share the work), marks them relayed and
   * their directives `queued`. A lift waits until the same platform's suspend has settled, so it
   * never overtakes it. Returns the directives queued by this claim.
   */
  async queueDue(em: EntityManager, now: Date, limit: number): Promise<{ claimed: number; queued: Relayed[] }> {
    const claimed = await queryRows<RelayedRow>(
      em,
      `SELECT o.id AS outbox_id, d.id AS directive_id, d.order_id, d.platform_id, d.type, ${PUSH_SQL} AS push, d.next_attempt_at,
         $1::timestamptz AS queued_at
       FROM outbox o
       JOIN directives d ON d.id = o.directive_id
       JOIN platforms p ON p.id = d.platform_id
       WHERE o.relayed_at IS NULL AND d.due_at <= $1
         AND ${notWaitingSql('d')}
       ORDER BY o.id
       LIMIT $2
       FOR UPDATE OF o SKIP LOCKED`,
      [now, limit],
    );
    if (claimed.length === 0) return { claimed: 0, queued: [] };
    await em.query(`UPDATE outbox SET relayed_at = $2 WHERE id = ANY($1::bigint[])`, [claimed.map((c) => c.outbox_id), now]);
    const queued = await queryRows<Pick<DirectivesRow, 'id'>>(
      em,
      `UPDATE directives SET status = 'queued', queued_at = $2 WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`,
      [claimed.map((c) => c.directive_id), now],
    );
    const queuedIds = new Set(queued.map((q) => q.id));
    return { claimed: claimed.length, queued: claimed.filter((c) => queuedIds.has(c.directive_id)).map(relayedOf) };
  }

  /**
   * Back to the outbox: directives a relay queued but could not hand to Redis (its add failed after
   * the claim committed). Only those still `queued` and never attempted move, so a revocation finds
   * them `pending` and cancels them, and their give-up clock starts when they are queued again.
   */
  async unqueue(em: EntityManager, directiveIds: string[]): Promise<DirectiveRef[]> {
    const back = await queryRows<RefRow>(
      em,
      `UPDATE directives SET status = 'pending', queued_at = NULL
       WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempts = 0
       RETURNING id, order_id, platform_id, type, linked_report_id`,
      [directiveIds],
    );
    if (back.length > 0) {
      await em.query(`UPDATE outbox SET relayed_at = NULL WHERE directive_id = ANY($1::uuid[])`, [back.map((b) => b.id)]);
    }
    return back.map(refOf);
  }

  // --- Delivery -----------------------------------------------------------------------------------

  /**
   * Delivered, once: `queued` directives become `delivered` with their SLA deadline, their
   * platforms `delivered` (a suspend), and a lift waiting for one of those suspends wakes the relay.
   * A directive already past `queued` is left alone (a replay changes nothing).
   */
  async markDelivered(em: EntityManager, deliveries: { id: string; at: Date }[]): Promise<Delivered[]> {
    // delivered_at is set by this very statement. A suspend delivered while an appeal suspends its
    // order (it was queued before the appeal) starts no SLA clock: stopped as it arrives, as
    // stopSlaClocks stops the ones delivered before (decision 0027); the order is looked up once.
    const rows = await queryRows<RefRow & { delivered_at: Date; sla_deadline: Date | null }>(
      em,
      `WITH t AS (
         SELECT x.id, b.at, x.type = 'suspend' AND s.id IS NOT NULL AS stopped
         FROM unnest($1::uuid[], $2::timestamptz[]) AS b(id, at)
         CROSS JOIN LATERAL ${queuedDirective('b.id')} x
         LEFT JOIN LATERAL ${suspendedOrderOf('x')} s ON true)
       UPDATE directives d SET status = 'delivered', delivered_at = t.at,
         sla_deadline = CASE WHEN t.stopped THEN NULL ELSE ${slaDeadlineSql('t.at', 'p.sla_hours')} END,
         sla_stopped_at = CASE WHEN t.stopped THEN t.at ELSE d.sla_stopped_at END
       FROM t, platforms p
       WHERE d.id = t.id AND p.id = d.platform_id
       RETURNING d.id, d.order_id, d.platform_id, d.type, d.linked_report_id, d.delivered_at, d.sla_deadline`,
      [deliveries.map((b) => b.id), deliveries.map((b) => b.at)],
    );
    const suspends = rows.filter((r) => r.type === 'suspend');
    // The order's own suspends move their platform; a linked account's has no row there.
    const own = suspends.filter((r) => r.linked_report_id === null);
    if (own.length > 0) {
      await em.query(
        `UPDATE order_platforms op SET status = 'delivered', delivered_at = t.at, sla_deadline = t.sla
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS t(order_id, platform_id, at, sla)
         WHERE op.order_id = t.order_id AND op.platform_id = t.platform_id AND op.status = 'pending'`,
        [own.map((r) => r.order_id), own.map((r) => r.platform_id), own.map((r) => r.delivered_at), own.map((r) => r.sla_deadline)],
      );
    }
    if (suspends.length > 0) {
      // Only then, so that a busy worker does not send every relay a pass per delivery.
      await em.query(
        `SELECT pg_notify($3, '') WHERE EXISTS (
           SELECT 1 FROM directives l JOIN unnest($1::uuid[], $2::text[]) AS t(order_id, platform_id)
             ON l.order_id = t.order_id AND l.platform_id = t.platform_id
           WHERE l.type = 'lift' AND l.status = 'pending')`,
        [suspends.map((r) => r.order_id), suspends.map((r) => r.platform_id), CHANNELS.outbox],
      );
    }
    return rows.map((r) => ({ ...refOf(r), deliveredAt: r.delivered_at, slaDeadline: r.sla_deadline }));
  }

  /**
   * A failed attempt of a `queued` directive: counted, with its next time, or failed for good
   * (`final`), in which case a suspend's platform is `failed` (`delivery_failed`) and the relay
   * wakes for a lift that waited on it. Returns false when the directive had already moved on.
   */
  async recordFailedAttempt(
    em: EntityManager,
    d: DirectiveRef,
    attempt: { number: number; reason: string; nextAttemptAt: Date | null; final: boolean; at: Date },
  ): Promise<boolean> {
    const updated = await queryRows<Pick<DirectivesRow, 'id'>>(
      em,
      `UPDATE directives SET attempts = $2, last_error = $3, next_attempt_at = $4,
         status = CASE WHEN $5 THEN 'failed' ELSE status END, failed_at = CASE WHEN $5 THEN $6::timestamptz ELSE failed_at END
       WHERE id = $1 AND status = 'queued' RETURNING id`,
      [d.id, attempt.number, attempt.reason, attempt.nextAttemptAt, attempt.final, attempt.at],
    );
    if (updated.length === 0) return false;
    if (attempt.final && d.type === 'suspend' && d.linkedReportId === null) {
      await em.query(`UPDATE order_platforms SET status = 'failed', outcome = 'delivery_failed' WHERE order_id = $1 AND platform_id = $2`, [
        d.orderId,
        d.platformId,
      ]);
    }
    if (attempt.final) await this.wakeRelays(em);
    return true;
  }

  // --- The platform's side ----------------------------------------------------------------------

  /**
   * The directive a platform acknowledges, locked until the caller's transaction ends; undefined if
   * not the platform's. A read, but the one `acknowledge` starts from: here, under the same lock.
   */
  async lockForAck(em: EntityManager, id: string, platformId: string): Promise<Acknowledgeable | undefined> {
    const [row] = await queryRows<
      RefRow & Pick<DirectivesRow, 'status' | 'outcome' | 'acknowledged_at' | 'sla_deadline'> & Pick<PlatformsRow, 'sla_hours'>
    >(
      em,
      `SELECT d.id, d.order_id, d.platform_id, d.type, d.linked_report_id, d.status, d.outcome, d.acknowledged_at, d.sla_deadline, p.sla_hours
       FROM directives d JOIN platforms p ON p.id = d.platform_id
       WHERE d.id = $1 AND d.platform_id = $2 FOR UPDATE OF d`,
      [id, platformId],
    );
    return (
      row && {
        ...refOf(row),
        status: row.status,
        outcome: row.outcome,
        acknowledgedAt: row.acknowledged_at,
        slaDeadline: row.sla_deadline,
        slaHours: row.sla_hours,
      }
    );
  }

  /**
   * Acknowledged: the directive records the outcome (delivered now if the ack beat our record of
   * the 2xx); a suspend's platform becomes `enforced` or `failed`, a lift's `lifted`.
   */
  async acknowledge(
    em: EntityManager,
    d: DirectiveRef,
    ack: { outcome: AckOutcome; note: string | null; at: Date; slaDeadline: Date },
  ): Promise<void> {
    // A suspend whose clock an appeal stopped keeps no deadline: its answer does not start it again.
    const [row] = await queryRows<{ stopped: boolean }>(
      em,
      `UPDATE directives SET status = 'acknowledged', acknowledged_at = $2, outcome = $3, note = $4,
         delivered_at = COALESCE(delivered_at, $2), sla_deadline = CASE WHEN sla_stopped_at IS NULL THEN $5::timestamptz END
       WHERE id = $1
       RETURNING sla_stopped_at IS NOT NULL AS stopped`,
      [d.id, ack.at, ack.outcome, ack.note, ack.slaDeadline],
    );
    const deadline = row?.stopped ? null : ack.slaDeadline;
    // A linked account's directive answers for that account only; the platform's row is the order's own.
    if (d.linkedReportId !== null) return;
    if (d.type === 'suspend') {
      const status: OrderPlatformsRow['status'] = ack.outcome === 'enforced' ? 'enforced' : 'failed';
      await em.query(
        `UPDATE order_platforms SET status = $3, outcome = $4, enforced_at = CASE WHEN $3 = 'enforced' THEN $5::timestamptz END,
           acknowledged_at = $5,
           delivered_at = COALESCE(delivered_at, $5), sla_deadline = COALESCE(sla_deadline, $6)
         WHERE order_id = $1 AND platform_id = $2 AND status IN ('pending', 'delivered')`,
        [d.orderId, d.platformId, status, ack.outcome, ack.at, deadline],
      );
    } else {
      // Only a platform still lifting: after a resumption it is waiting for the new round's suspend.
      await em.query(
        `UPDATE order_platforms SET status = 'lifted', lifted_at = $3 WHERE order_id = $1 AND platform_id = $2 AND status = 'lifting'`,
        [d.orderId, d.platformId, ack.at],
      );
    }
  }

  // --- Time ---------------------------------------------------------------------------------------

  /** Delivered directives past their deadline with no answer: each marked once (SKIP LOCKED: workers share). */
  async markSlaBreaches(em: EntityManager, now: Date, limit: number): Promise<SlaBreach[]> {
    // Only delivered directives, which all have a deadline.
    const rows = await queryRows<RefRow & { sla_deadline: Date }>(
      em,
      `UPDATE directives SET sla_breached_at = $1
       WHERE id IN (SELECT id FROM directives WHERE status = 'delivered' AND sla_breached_at IS NULL AND sla_deadline <= $1
                    LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, order_id, platform_id, type, linked_report_id, sla_deadline`,
      [now, limit],
    );
    return rows.map((r) => ({ ...refOf(r), slaDeadline: r.sla_deadline }));
  }
}
