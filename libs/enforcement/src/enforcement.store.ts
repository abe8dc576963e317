import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CHANNELS, queryRows } from '@ostracon/database';
import { PUSH_SQL } from '@ostracon/platforms';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { slaDeadlineSql } from './sla';

export type DirectiveType = 'suspend' | 'lift';
export type DirectiveStatus = 'pending' | 'queued' | 'delivered' | 'acknowledged' | 'failed' | 'cancelled';
export type AckOutcome = 'enforced' | 'account_not_found' | 'rejected';
export type PlatformEnforcementStatus = 'pending' | 'delivered' | 'enforced' | 'failed' | 'lifting' | 'lifted';

/** How far one platform named by an order got, as the order view shows it. */
export interface PlatformEnforcement {
  orderId: string;
  platformId: string;
  status: PlatformEnforcementStatus;
  accountCount: number;
  deliveredAt: Date | null;
  enforcedAt: Date | null;
  slaDeadline: Date | null;
  liftedAt: Date | null;
  outcome: string | null;
  acknowledgedAt: Date | null;
}

/** A directive as its order's timeline shows it. */
export interface DirectiveProgress {
  id: string;
  orderId: string;
  platformId: string;
  type: DirectiveType;
  status: DirectiveStatus;
  attempts: number;
  /** The failure class of the last failed attempt (`http_5xx`, `timeout`…), never a body. */
  lastError: string | null;
  deliveredAt: Date | null;
  slaDeadline: Date | null;
  acknowledgedAt: Date | null;
  outcome: AckOutcome | null;
}

/** A directive with what it takes to send it: its platform's webhook and SLA, its sealed accounts. */
export interface DirectiveToSend {
  id: string;
  order_id: string;
  platform_id: string;
  type: DirectiveType;
  status: DirectiveStatus;
  attempts: number;
  queued_at: Date | null;
  effective_from: Date;
  effective_until: Date;
  sla_deadline: Date | null;
  webhook_url: string | null;
  webhook_secret_enc: Buffer | null;
  webhook_secret_key_id: string | null;
  /** The secret a rotation replaced, with the instant it stops signing (null outside an overlap). */
  webhook_secret_previous_enc: Buffer | null;
  webhook_secret_previous_key_id: string | null;
  webhook_secret_previous_until: Date | null;
  sla_hours: number;
  accounts_enc: Buffer | null;
  accounts_key_id: string | null;
}

/** An outbox row claimed by a relay pass, with what its job needs. */
export interface Relayed {
  outbox_id: string;
  directive_id: string;
  order_id: string;
  platform_id: string;
  type: DirectiveType;
  push: boolean;
  next_attempt_at: Date | null;
}

export interface Delivered {
  id: string;
  order_id: string;
  platform_id: string;
  type: DirectiveType;
  delivered_at: Date;
  sla_deadline: Date;
}

export interface Acknowledgeable {
  id: string;
  order_id: string;
  platform_id: string;
  type: DirectiveType;
  status: DirectiveStatus;
  outcome: AckOutcome | null;
  acknowledged_at: Date | null;
  sla_deadline: Date | null;
  sla_hours: number;
}

type Runner = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

const TO_SEND = `SELECT d.id, d.order_id, d.platform_id, d.type, d.status, d.attempts, d.queued_at, d.effective_from, d.effective_until,
         d.sla_deadline, p.webhook_url, p.webhook_secret_enc, p.webhook_secret_key_id,
         p.webhook_secret_previous_enc, p.webhook_secret_previous_key_id, p.webhook_secret_previous_until,
         p.sla_hours, op.accounts_enc, op.accounts_key_id
  FROM directives d
  JOIN platforms p ON p.id = d.platform_id
  JOIN order_platforms op ON op.order_id = d.order_id AND op.platform_id = d.platform_id`;

/**
 * The one owner of `directives`, `outbox` and `order_platforms`: every way a row of them can change
 * is a method here, named after the transition (docs/enforcement.md draws them). Methods that take
 * an EntityManager write in the caller's transaction, so a transition exists exactly when the
 * change that calls for it does; the audit events are the callers'. Raw SQL throughout: bulk
 * transitions with `unnest` and `RETURNING` are what the enforcement path is made of
 * (docs/CONTRIBUTING.md, one way of talking to the database per lib).
 */
@Injectable()
export class EnforcementStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  /** One suspend per platform, due when the order starts; each with its outbox row. */
  async planSuspends(em: EntityManager, order: { id: string; startsAt: Date; endsAt: Date }, platformIds: string[]): Promise<void> {
    const ids = platformIds.map(() => uuidv7());
    await em.query(
      `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until)
       SELECT id, $2, platform_id, 'suspend', $3, $3, $4 FROM unnest($1::uuid[], $5::text[]) AS t(id, platform_id)`,
      [ids, order.id, order.startsAt, order.endsAt, platformIds],
    );
    await em.query(`INSERT INTO outbox (directive_id) SELECT unnest($1::uuid[])`, [ids]);
  }

  /** How far each platform of these orders got, by order then platform. */
  async platformsOf(runner: Runner, orderIds: string[]): Promise<PlatformEnforcement[]> {
    if (orderIds.length === 0) return [];
    const rows: {
      order_id: string;
      platform_id: string;
      status: PlatformEnforcementStatus;
      account_count: number;
      delivered_at: Date | null;
      enforced_at: Date | null;
      sla_deadline: Date | null;
      lifted_at: Date | null;
      outcome: string | null;
      acknowledged_at: Date | null;
    }[] = await runner.query(
      `SELECT order_id, platform_id, status, account_count, delivered_at, enforced_at, sla_deadline, lifted_at, outcome, acknowledged_at
       FROM order_platforms WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, platform_id`,
      [orderIds],
    );
    return rows.map((r) => ({
      orderId: r.order_id,
      platformId: r.platform_id,
      status: r.status,
      accountCount: r.account_count,
      deliveredAt: r.delivered_at,
      enforcedAt: r.enforced_at,
      slaDeadline: r.sla_deadline,
      liftedAt: r.lifted_at,
      outcome: r.outcome,
      acknowledgedAt: r.acknowledged_at,
    }));
  }

  /** Every directive of these orders with how far it got, oldest first (suspend before lift). */
  async directivesOf(runner: Runner, orderIds: string[]): Promise<DirectiveProgress[]> {
    const rows: {
      id: string;
      order_id: string;
      platform_id: string;
      type: DirectiveType;
      status: DirectiveStatus;
      attempts: number;
      last_error: string | null;
      delivered_at: Date | null;
      sla_deadline: Date | null;
      acknowledged_at: Date | null;
      outcome: AckOutcome | null;
    }[] = await runner.query(
      `SELECT id, order_id, platform_id, type, status, attempts, last_error, delivered_at, sla_deadline, acknowledged_at, outcome
       FROM directives WHERE order_id = ANY($1::uuid[]) ORDER BY created_at, type DESC`,
      [orderIds],
    );
    return rows.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      platformId: r.platform_id,
      type: r.type,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      deliveredAt: r.delivered_at,
      slaDeadline: r.sla_deadline,
      acknowledgedAt: r.acknowledged_at,
      outcome: r.outcome,
    }));
  }

  // --- When the order ends ----------------------------------------------------------------------

  /**
   * Suspends no platform has seen yet are cancelled (their outbox rows settled, their platforms
   * `lifted` with `cancelled_before_delivery`): there is nothing to lift there.
   */
  async cancelUndelivered(em: EntityManager, orderId: string, now: Date): Promise<{ id: string; platform_id: string }[]> {
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
    return cancelled;
  }

  /**
   * A lift for every platform whose suspend went out, once (unique order, platform, type); its
   * platform goes `lifting`. The relay holds each lift until its suspend has settled.
   */
  async planLifts(em: EntityManager, orderId: string, now: Date): Promise<string[]> {
    const suspends: { platform_id: string; effective_until: Date }[] = await em.query(
      `SELECT platform_id, effective_until FROM directives WHERE order_id = $1 AND type = 'suspend' AND status <> 'cancelled'`,
      [orderId],
    );
    if (suspends.length === 0) return [];
    const ids = suspends.map(() => uuidv7());
    const inserted: { id: string; platform_id: string }[] = await em.query(
      `INSERT INTO directives (id, order_id, platform_id, type, due_at, effective_from, effective_until)
       SELECT t.id, $2, t.platform_id, 'lift', $3, $3, t.until FROM unnest($1::uuid[], $4::text[], $5::timestamptz[]) AS t(id, platform_id, until)
       ON CONFLICT (order_id, platform_id, type) DO NOTHING
       RETURNING id, platform_id`,
      [ids, orderId, now, suspends.map((s) => s.platform_id), suspends.map((s) => s.effective_until)],
    );
    if (inserted.length === 0) return [];
    await em.query(`INSERT INTO outbox (directive_id) SELECT unnest($1::uuid[])`, [inserted.map((i) => i.id)]);
    await em.query(`UPDATE order_platforms SET status = 'lifting' WHERE order_id = $1 AND platform_id = ANY($2::text[])`, [
      orderId,
      inserted.map((i) => i.platform_id),
    ]);
    return inserted.map((i) => i.platform_id);
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
    const claimed: Relayed[] = await em.query(
      `SELECT o.id AS outbox_id, d.id AS directive_id, d.order_id, d.platform_id, d.type, ${PUSH_SQL} AS push, d.next_attempt_at
       FROM outbox o
       JOIN directives d ON d.id = o.directive_id
       JOIN platforms p ON p.id = d.platform_id
       WHERE o.relayed_at IS NULL AND d.due_at <= $1
         AND (d.type = 'suspend' OR NOT EXISTS (
           SELECT 1 FROM directives s
           WHERE s.order_id = d.order_id AND s.platform_id = d.platform_id AND s.type = 'suspend' AND s.status IN ('pending', 'queued')))
       ORDER BY o.id
       LIMIT $2
       FOR UPDATE OF o SKIP LOCKED`,
      [now, limit],
    );
    if (claimed.length === 0) return { claimed: 0, queued: [] };
    await em.query(`UPDATE outbox SET relayed_at = $2 WHERE id = ANY($1::bigint[])`, [claimed.map((c) => c.outbox_id), now]);
    const queued: { id: string }[] = await queryRows(
      em,
      `UPDATE directives SET status = 'queued', queued_at = $2 WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`,
      [claimed.map((c) => c.directive_id), now],
    );
    const queuedIds = new Set(queued.map((q) => q.id));
    return { claimed: claimed.length, queued: claimed.filter((c) => queuedIds.has(c.directive_id)) };
  }

  /**
   * Back to the outbox: directives a relay queued but could not hand to Redis (its add failed after
   * the claim committed). Only those still `queued` and never attempted move, so a revocation finds
   * them `pending` and cancels them, and their give-up clock starts when they are queued again.
   */
  async unqueue(
    em: EntityManager,
    directiveIds: string[],
  ): Promise<{ id: string; order_id: string; platform_id: string; type: DirectiveType }[]> {
    const back: { id: string; order_id: string; platform_id: string; type: DirectiveType }[] = await queryRows(
      em,
      `UPDATE directives SET status = 'pending', queued_at = NULL
       WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempts = 0
       RETURNING id, order_id, platform_id, type`,
      [directiveIds],
    );
    if (back.length > 0) {
      await em.query(`UPDATE outbox SET relayed_at = NULL WHERE directive_id = ANY($1::uuid[])`, [back.map((b) => b.id)]);
    }
    return back;
  }

  /** Queued push directives that should have moved by `staleBefore`: their jobs may be lost. */
  async stalePushes(staleBefore: Date, limit: number, afterDirectiveId = '00000000-0000-0000-0000-000000000000'): Promise<Relayed[]> {
    // Paged by directive id (uuidv7: in creation order), so that a sweep after a full page goes on
    // where the last one stopped instead of reading the same oldest rows again (directives waiting
    // on an open breaker look stale while their jobs are alive).
    return this.dataSource.query(
      `SELECT o.id AS outbox_id, d.id AS directive_id, d.order_id, d.platform_id, d.type, true AS push, d.next_attempt_at
       FROM directives d
       JOIN platforms p ON p.id = d.platform_id AND ${PUSH_SQL}
       JOIN outbox o ON o.directive_id = d.id
       WHERE d.status = 'queued' AND COALESCE(d.next_attempt_at, d.queued_at) < $1 AND d.id > $3
       ORDER BY d.id
       LIMIT $2`,
      [staleBefore, limit, afterDirectiveId],
    );
  }

  /** Whether a queued push directive has waited past its time by more than `seconds` (the worker's watchdog). */
  async pushOverdue(seconds: number): Promise<boolean> {
    const rows: { overdue: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (
         SELECT 1 FROM directives d JOIN platforms p ON p.id = d.platform_id AND ${PUSH_SQL}
         WHERE d.status = 'queued' AND COALESCE(d.next_attempt_at, d.queued_at) < now() - make_interval(secs => $1)) AS overdue`,
      [seconds],
    );
    return rows[0]?.overdue === true;
  }

  // --- Delivery -----------------------------------------------------------------------------------

  /** These directives with what it takes to send them (one query for the jobs in hand). */
  async toSend(ids: string[]): Promise<DirectiveToSend[]> {
    return this.dataSource.query(`${TO_SEND} WHERE d.id = ANY($1::uuid[])`, [ids]);
  }

  /**
   * Delivered, once: `queued` directives become `delivered` with their SLA deadline, their
   * platforms `delivered` (a suspend), and a lift waiting for one of those suspends wakes the relay.
   * A directive already past `queued` is left alone (a replay changes nothing).
   */
  async markDelivered(em: EntityManager, deliveries: { id: string; at: Date }[]): Promise<Delivered[]> {
    const rows: Delivered[] = await queryRows(
      em,
      `UPDATE directives d SET status = 'delivered', delivered_at = t.at, sla_deadline = ${slaDeadlineSql('t.at', 'p.sla_hours')}
       FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, at), platforms p
       WHERE d.id = t.id AND d.status = 'queued' AND p.id = d.platform_id
       RETURNING d.id, d.order_id, d.platform_id, d.type, d.delivered_at, d.sla_deadline`,
      [deliveries.map((b) => b.id), deliveries.map((b) => b.at)],
    );
    const suspends = rows.filter((r) => r.type === 'suspend');
    if (suspends.length > 0) {
      await em.query(
        `UPDATE order_platforms op SET status = 'delivered', delivered_at = t.at, sla_deadline = t.sla
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS t(order_id, platform_id, at, sla)
         WHERE op.order_id = t.order_id AND op.platform_id = t.platform_id AND op.status = 'pending'`,
        [
          suspends.map((r) => r.order_id),
          suspends.map((r) => r.platform_id),
          suspends.map((r) => r.delivered_at),
          suspends.map((r) => r.sla_deadline),
        ],
      );
      // Only then, so that a busy worker does not send every relay a pass per delivery.
      await em.query(
        `SELECT pg_notify($3, '') WHERE EXISTS (
           SELECT 1 FROM directives l JOIN unnest($1::uuid[], $2::text[]) AS t(order_id, platform_id)
             ON l.order_id = t.order_id AND l.platform_id = t.platform_id
           WHERE l.type = 'lift' AND l.status = 'pending')`,
        [suspends.map((r) => r.order_id), suspends.map((r) => r.platform_id), CHANNELS.outbox],
      );
    }
    return rows;
  }

  /**
   * A failed attempt of a `queued` directive: counted, with its next time, or failed for good
   * (`final`), in which case a suspend's platform is `failed` (`delivery_failed`) and the relay
   * wakes for a lift that waited on it. Returns false when the directive had already moved on.
   */
  async recordFailedAttempt(
    em: EntityManager,
    d: { id: string; order_id: string; platform_id: string; type: DirectiveType },
    attempt: { number: number; reason: string; nextAttemptAt: Date | null; final: boolean; at: Date },
  ): Promise<boolean> {
    const updated: unknown[] = await queryRows(
      em,
      `UPDATE directives SET attempts = $2, last_error = $3, next_attempt_at = $4,
         status = CASE WHEN $5 THEN 'failed' ELSE status END, failed_at = CASE WHEN $5 THEN $6::timestamptz ELSE failed_at END
       WHERE id = $1 AND status = 'queued' RETURNING id`,
      [d.id, attempt.number, attempt.reason, attempt.nextAttemptAt, attempt.final, attempt.at],
    );
    if (updated.length === 0) return false;
    if (attempt.final && d.type === 'suspend') {
      await em.query(`UPDATE order_platforms SET status = 'failed', outcome = 'delivery_failed' WHERE order_id = $1 AND platform_id = $2`, [
        d.order_id,
        d.platform_id,
      ]);
    }
    if (attempt.final) await this.wakeRelays(em);
    return true;
  }

  // --- The platform's side ----------------------------------------------------------------------

  /** A platform's directives in these statuses, oldest first, after a cursor (pull mode). */
  async forPlatform(platformId: string, statuses: DirectiveStatus[], afterId: string, limit: number): Promise<DirectiveToSend[]> {
    return this.dataSource.query(
      `${TO_SEND} WHERE d.platform_id = $1 AND d.status = ANY($2::text[]) AND d.id > $3 ORDER BY d.id LIMIT $4`,
      [platformId, statuses, afterId, limit],
    );
  }

  /** The directive a platform acknowledges, locked until the caller's transaction ends; undefined if not the platform's. */
  async lockForAck(em: EntityManager, id: string, platformId: string): Promise<Acknowledgeable | undefined> {
    const rows: Acknowledgeable[] = await em.query(
      `SELECT d.id, d.order_id, d.platform_id, d.type, d.status, d.outcome, d.acknowledged_at, d.sla_deadline, p.sla_hours
       FROM directives d JOIN platforms p ON p.id = d.platform_id
       WHERE d.id = $1 AND d.platform_id = $2 FOR UPDATE OF d`,
      [id, platformId],
    );
    return rows[0];
  }

  /**
   * Acknowledged: the directive records the outcome (delivered now if the ack beat our record of
   * the 2xx); a suspend's platform becomes `enforced` or `failed`, a lift's `lifted`.
   */
  async acknowledge(
    em: EntityManager,
    d: Acknowledgeable,
    ack: { outcome: AckOutcome; note: string | null; at: Date; slaDeadline: Date },
  ): Promise<void> {
    await em.query(
      `UPDATE directives SET status = 'acknowledged', acknowledged_at = $2, outcome = $3, note = $4,
         delivered_at = COALESCE(delivered_at, $2), sla_deadline = $5
       WHERE id = $1`,
      [d.id, ack.at, ack.outcome, ack.note, ack.slaDeadline],
    );
    if (d.type === 'suspend') {
      await em.query(
        `UPDATE order_platforms SET status = $3, outcome = $4, enforced_at = CASE WHEN $3 = 'enforced' THEN $5::timestamptz END,
           acknowledged_at = $5,
           delivered_at = COALESCE(delivered_at, $5), sla_deadline = COALESCE(sla_deadline, $6)
         WHERE order_id = $1 AND platform_id = $2 AND status IN ('pending', 'delivered')`,
        [d.order_id, d.platform_id, ack.outcome === 'enforced' ? 'enforced' : 'failed', ack.outcome, ack.at, ack.slaDeadline],
      );
    } else {
      await em.query(`UPDATE order_platforms SET status = 'lifted', lifted_at = $3 WHERE order_id = $1 AND platform_id = $2`, [
        d.order_id,
        d.platform_id,
        ack.at,
      ]);
    }
  }

  // --- Time ---------------------------------------------------------------------------------------

  /** Delivered directives past their deadline with no answer: each marked once (SKIP LOCKED: workers share). */
  async markSlaBreaches(
    em: EntityManager,
    now: Date,
    limit: number,
  ): Promise<{ id: string; order_id: string; platform_id: string; type: DirectiveType; sla_deadline: Date }[]> {
    return queryRows(
      em,
      `UPDATE directives SET sla_breached_at = $1
       WHERE id IN (SELECT id FROM directives WHERE status = 'delivered' AND sla_breached_at IS NULL AND sla_deadline <= $1
                    LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, order_id, platform_id, type, sla_deadline`,
      [now, limit],
    );
  }

  // --- Figures for operators --------------------------------------------------------------------

  async countByTypeAndStatus(): Promise<{ type: DirectiveType; status: DirectiveStatus; count: number }[]> {
    const rows: { type: DirectiveType; status: DirectiveStatus; n: string }[] = await this.dataSource.query(
      `SELECT type, status, count(*) AS n FROM directives GROUP BY type, status`,
    );
    return rows.map((r) => ({ type: r.type, status: r.status, count: Number(r.n) }));
  }

  /**
   * Seconds the oldest outbox row the relay should have moved to the queue has waited since it
   * became due (0: none waits). A suspend for a later start, or a lift behind its unsettled
   * suspend, is not due yet: the relay's own rule (queueDue).
   */
  async oldestUnrelayedSeconds(): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT max(extract(epoch FROM now() - greatest(o.created_at, d.due_at))) AS age
       FROM outbox o JOIN directives d ON d.id = o.directive_id
       WHERE o.relayed_at IS NULL AND d.due_at <= now()
         AND (d.type = 'suspend' OR NOT EXISTS (
           SELECT 1 FROM directives s
           WHERE s.order_id = d.order_id AND s.platform_id = d.platform_id AND s.type = 'suspend' AND s.status IN ('pending', 'queued')))`,
    );
    return row?.age === null || row?.age === undefined ? 0 : Math.max(0, Number(row.age));
  }

  /** Directives queued and already failed at least once, by platform: what an open circuit breaker looks like from PostgreSQL. */
  async retryingByPlatform(): Promise<{ platformId: string; count: number }[]> {
    const rows: { platform_id: string; n: string }[] = await this.dataSource.query(
      `SELECT platform_id, count(*) AS n FROM directives WHERE status = 'queued' AND attempts > 0 GROUP BY platform_id`,
    );
    return rows.map((r) => ({ platformId: r.platform_id, count: Number(r.n) }));
  }

  /** Every platform, 0 included: an alert on a new breach needs the series before the first one. */
  async slaBreachesByPlatform(): Promise<{ platformId: string; count: number }[]> {
    const rows: { platform_id: string; n: string }[] = await this.dataSource.query(
      `SELECT p.id AS platform_id, count(d.id) AS n
       FROM platforms p LEFT JOIN directives d ON d.platform_id = p.id AND d.sla_breached_at IS NOT NULL
       GROUP BY p.id`,
    );
    return rows.map((r) => ({ platformId: r.platform_id, count: Number(r.n) }));
  }
}
