import { Injectable } from '@nestjs/common';
import { type BanOrdersRow, CHANNELS, type OrderSignalsRow, queryRows } from '@ostracon/database';
import type { EntityManager } from 'typeorm';
import { BanOrder } from './ban-order.entity';
import { OrderSignal } from './order-signal.entity';
import type { OrderStatus } from './orders.schemas';

/** What GET /v1/orders narrows by; an authority's list is always narrowed to its organisation. */
export interface OrderFilter {
  organisationId?: string;
  /** The start of the court reference, whatever its case; LIKE's `%`, `_` and `\\` in it are plain characters. */
  courtReferencePrefix?: string;
  platform?: string;
  status?: OrderStatus;
  /**
   * With (`is: true`) or without a platform past its deadline unanswered: `sql` is libs/enforcement's
   * rule (OrderEnforcement.overdueSql) on a row `op` of `order_platforms` at `:now`.
   */
  overdue?: { is: boolean; sql: string };
  /** Keyset: ids before this one (uuid v7: older). */
  beforeId?: string;
  limit: number;
}

/**
 * The one writer of `ban_orders` and `order_signals`: every way an order row can change is a
 * method here, named for its transition, and each takes the caller's transaction. Reads that other
 * libs make of these tables are named in order-reads.ts.
 */
@Injectable()
export class OrderStore {
  /** A new order and its keyed signal digests; the signals' ids, in the order given. */
  async insert(em: EntityManager, order: BanOrder, signals: Omit<OrderSignal, 'id'>[]): Promise<string[]> {
    // insert, not save: save would turn a clash on the key into a silent update.
    await em.insert(BanOrder, order);
    const inserted = await em.insert(
      OrderSignal,
      signals.map((s) => Object.assign(new OrderSignal(), s)),
    );
    return inserted.identifiers.map((i) => String(i.id));
  }

  /**
   * An accepted linked account's signals join the order's, matched on that platform only (decision
   * 0026); the sign-up indexes re-read the order at commit. Their ids, in the order given.
   */
  async addPlatformSignals(
    em: EntityManager,
    orderId: string,
    platformId: string,
    signals: Omit<OrderSignal, 'id' | 'orderId' | 'platformId'>[],
  ): Promise<string[]> {
    if (signals.length === 0) return [];
    const inserted = await em.insert(
      OrderSignal,
      signals.map((s) => Object.assign(new OrderSignal(), s, { orderId, platformId })),
    );
    await em.query(`SELECT pg_notify($1, $2)`, [CHANNELS.orders, orderId]);
    return inserted.identifiers.map((i) => String(i.id));
  }

  async find(em: EntityManager, id: string, forUpdate = false): Promise<BanOrder | null> {
    return em.findOne(BanOrder, { where: { id }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Newest first, one more than `limit` (the caller tells whether a next page exists). */
  async list(em: EntityManager, filter: OrderFilter, now: Date): Promise<BanOrder[]> {
    const qb = em
      .createQueryBuilder(BanOrder, 'o')
      .orderBy('o.id', 'DESC')
      .take(filter.limit + 1);
    if (filter.organisationId) qb.andWhere('o.organisation_id = :organisation', { organisation: filter.organisationId });
    if (filter.courtReferencePrefix) {
      // lower(court_reference) text_pattern_ops (migration 1764500000000) serves a LIKE with a fixed prefix.
      qb.andWhere(`lower(o.court_reference) LIKE lower(:prefix) || '%' ESCAPE '\\'`, { prefix: likeLiteral(filter.courtReferencePrefix) });
    }
    if (filter.overdue) {
      qb.andWhere(
        `${filter.overdue.is ? '' : 'NOT '}EXISTS (SELECT 1 FROM order_platforms op WHERE op.order_id = o.id AND ${filter.overdue.sql})`,
        { now },
      );
    }
    if (filter.platform) {
      qb.andWhere('EXISTS (SELECT 1 FROM order_platforms op WHERE op.order_id = o.id AND op.platform_id = :platform)', {
        platform: filter.platform,
      });
    }
    // orderStatus (order-rules.ts) in SQL: an early end says how, a suspension hides the window.
    const running = 'o.revoked_at IS NULL AND o.suspended_at IS NULL';
    switch (filter.status) {
      case 'revoked':
        qb.andWhere(`o.revoked_at IS NOT NULL AND o.ended_by = 'revocation'`);
        break;
      case 'relieved':
        qb.andWhere(`o.revoked_at IS NOT NULL AND o.ended_by = 'relief'`);
        break;
      case 'quashed':
        qb.andWhere(`o.revoked_at IS NOT NULL AND o.ended_by = 'appeal_quashed'`);
        break;
      case 'suspended':
        qb.andWhere('o.revoked_at IS NULL AND o.suspended_at IS NOT NULL');
        break;
      case 'scheduled':
        qb.andWhere(`${running} AND o.starts_at > :now`, { now });
        break;
      case 'active':
        qb.andWhere(`${running} AND o.starts_at <= :now AND o.ends_at > :now`, { now });
        break;
      case 'expired':
        qb.andWhere(`${running} AND o.ends_at <= :now`, { now });
        break;
    }
    if (filter.beforeId) qb.andWhere('o.id < :lastId', { lastId: filter.beforeId });
    return qb.getMany();
  }

  /** Whether the organisation already has an order with this court reference, whatever its case. */
  async referenceTaken(em: EntityManager, organisationId: string, courtReference: string): Promise<boolean> {
    const rows = await queryRows<{ taken: boolean }>(
      em,
      `SELECT EXISTS (SELECT 1 FROM ban_orders WHERE organisation_id = $1 AND lower(court_reference) = lower($2)) AS taken`,
      [organisationId, courtReference],
    );
    return rows[0]?.taken === true;
  }

  /**
   * How many orders (of the organisation, or all) have a platform past its deadline unanswered,
   * and how many such platforms; `overdueSql` is libs/enforcement's rule on `op` at `$1`.
   */
  async overdueCounts(
    runner: Pick<EntityManager, 'query'>,
    organisationId: string | undefined,
    overdueSql: string,
    now: Date,
  ): Promise<{ orders: number; platforms: number }> {
    // count() is a bigint: node-postgres hands it over as text.
    const [row] = await queryRows<{ orders: string; platforms: string }>(
      runner,
      `SELECT count(DISTINCT op.order_id) AS orders, count(*) AS platforms
       FROM order_platforms op JOIN ban_orders o ON o.id = op.order_id
       WHERE ${overdueSql} AND ($2::uuid IS NULL OR o.organisation_id = $2)`,
      [now, organisationId ?? null],
    );
    return { orders: Number(row?.orders ?? 0), platforms: Number(row?.platforms ?? 0) };
  }

  async idsOfOrganisation(runner: Pick<EntityManager, 'query'>, organisationId: string): Promise<string[]> {
    const rows = await queryRows<Pick<BanOrdersRow, 'id'>>(runner, `SELECT id FROM ban_orders WHERE organisation_id = $1`, [
      organisationId,
    ]);
    return rows.map((r) => r.id);
  }

  /** The orders with this court reference, compared case-insensitively; of one organisation when given. */
  async idsWithCourtReference(runner: Pick<EntityManager, 'query'>, reference: string, organisationId: string | null): Promise<string[]> {
    const rows = await queryRows<Pick<BanOrdersRow, 'id'>>(
      runner,
      `SELECT id FROM ban_orders WHERE lower(court_reference) = lower($1) AND ($2::uuid IS NULL OR organisation_id = $2)`,
      [reference, organisationId],
    );
    return rows.map((r) => r.id);
  }

  /** The issuing authority ends the order early: its signals stop matching with this commit. */
  async revoke(em: EntityManager, id: string, revocation: { at: Date; reason: string; decisionReference: string }): Promise<void> {
    await em.update(
      BanOrder,
      { id },
      {
        revokedAt: revocation.at,
        endedBy: 'revocation',
        // A suspended order may be revoked too: it ends, its appeal undecided.
        suspendedAt: null,
        revocationReason: revocation.reason,
        revocationDecisionReference: revocation.decisionReference,
      },
    );
  }

  /** scheduled or active → suspended: an appeal against the sentence was lodged (art. 506 CPP). */
  async suspendForAppeal(em: EntityManager, id: string, appeal: { at: Date; lodgedOn: string; reference: string }): Promise<void> {
    await em.update(
      BanOrder,
      { id },
      { suspendedAt: appeal.at, appealedAt: appeal.at, appealLodgedOn: appeal.lodgedOn, appealReference: appeal.reference },
    );
  }

  /**
   * suspended → scheduled or active: the appeal confirmed the ban, which runs in `window`. The
   * lifecycle's stamps follow the new window: activated now if it has started, by the lifecycle at
   * its start otherwise; not expired (a suspended order does not expire).
   */
  async resumeAfterAppeal(
    em: EntityManager,
    id: string,
    outcome: { at: Date; decidedOn: string; decisionReference: string; startsAt: Date; endsAt: Date },
  ): Promise<void> {
    await queryRows(
      em,
      `UPDATE ban_orders SET suspended_at = NULL, appeal_decided_at = $2, appeal_outcome = 'confirmed', appeal_decided_on = $3,
         appeal_decision_reference = $4, starts_at = $5, ends_at = $6, expired_at = NULL,
         activated_at = CASE WHEN $5::timestamptz <= $2::timestamptz THEN $2::timestamptz END
       WHERE id = $1`,
      [id, outcome.at, outcome.decidedOn, outcome.decisionReference, outcome.startsAt, outcome.endsAt],
    );
  }

  /** suspended → quashed: the court of appeal quashed the ban; it ended at `at`. */
  async quashOnAppeal(em: EntityManager, id: string, outcome: { at: Date; decidedOn: string; decisionReference: string }): Promise<void> {
    await em.update(
      BanOrder,
      { id },
      {
        suspendedAt: null,
        revokedAt: outcome.at,
        endedBy: 'appeal_quashed',
        appealDecidedAt: outcome.at,
        appealOutcome: 'quashed',
        appealDecidedOn: outcome.decidedOn,
        appealDecisionReference: outcome.decisionReference,
      },
    );
  }

  /** scheduled or active → relieved: a relèvement (art. 702-1 CPP) ended the ban at `at`. */
  async relieve(em: EntityManager, id: string, relief: { at: Date; decidedOn: string; decisionReference: string }): Promise<void> {
    await em.update(
      BanOrder,
      { id },
      { revokedAt: relief.at, endedBy: 'relief', reliefDecidedOn: relief.decidedOn, reliefDecisionReference: relief.decisionReference },
    );
  }

  /** scheduled → active: the orders whose startsAt has come, not yet activated nor revoked, at most `limit`. */
  activateDue(em: EntityManager, now: Date, limit: number): Promise<string[]> {
    return this.passMilestone(em, 'activated_at', 'starts_at', now, limit);
  }

  /** active → expired: the orders whose endsAt has come, not yet expired nor revoked nor suspended, at most `limit`. */
  expireDue(em: EntityManager, now: Date, limit: number): Promise<string[]> {
    return this.passMilestone(em, 'expired_at', 'ends_at', now, limit);
  }

  /**
   * RGPD: the orders ended before `horizon` (and already out of the private sets through the
   * lifecycle) are stamped purged and their signal digests deleted; how many each lost.
   */
  async purgeEndedBefore(em: EntityManager, now: Date, horizon: Date, limit: number): Promise<Map<string, number>> {
    const rows = await queryRows<Pick<BanOrdersRow, 'id'>>(
      em,
      `UPDATE ban_orders SET purged_at = $1
       WHERE id IN (SELECT id FROM ban_orders WHERE purged_at IS NULL AND LEAST(ends_at, revoked_at) <= $2
                      -- Its end already passed through the lifecycle (and out of the private sets).
                      AND (revoked_at IS NOT NULL OR expired_at IS NOT NULL)
                    LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [now, horizon, limit],
    );
    if (rows.length === 0) return new Map();
    const ids = rows.map((r) => r.id);
    // count(*) is a bigint: node-postgres hands it over as text.
    const signals = await queryRows<{ orderId: OrderSignalsRow['order_id']; deleted: string }>(
      em,
      `WITH gone AS (DELETE FROM order_signals WHERE order_id = ANY($1::uuid[]) RETURNING order_id)
       SELECT order_id AS "orderId", count(*) AS deleted FROM gone GROUP BY order_id`,
      [ids],
    );
    const removed = new Map(signals.map((s) => [s.orderId, Number(s.deleted)]));
    return new Map(ids.map((id) => [id, removed.get(id) ?? 0]));
  }

  /**
   * Each is an UPDATE … WHERE <not yet done> … FOR UPDATE SKIP LOCKED RETURNING, so any number of
   * workers may run it, as often as they like, after any restart: every transition happens once.
   */
  private async passMilestone(
    em: EntityManager,
    stamp: 'activated_at' | 'expired_at',
    due: 'starts_at' | 'ends_at',
    now: Date,
    limit: number,
  ): Promise<string[]> {
    const rows = await queryRows<Pick<BanOrdersRow, 'id'>>(
      em,
      `UPDATE ban_orders SET ${stamp} = $1
       WHERE id IN (SELECT id FROM ban_orders WHERE ${stamp} IS NULL AND revoked_at IS NULL AND suspended_at IS NULL AND ${due} <= $1
                    ORDER BY ${due} LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }
}

/** A string LIKE reads as itself: its `\\`, `%` and `_` escaped (with `ESCAPE '\\'`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
