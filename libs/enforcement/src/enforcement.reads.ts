import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DirectivesRow, type OrderPlatformsRow, type PlatformsRow, queryRows } from '@ostracon/database';
import { type LinkedDirectiveState, orderRelations } from '@ostracon/orders';
import { PUSH_SQL } from '@ostracon/platforms';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type DirectiveProgress,
  type DirectiveStatus,
  type DirectiveToSend,
  type PlatformEnforcement,
  type Relayed,
  type RelayedRow,
  relayedOf,
} from './enforcement.types';

type Runner = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

type ToSendRow = Pick<
  DirectivesRow,
  | 'id'
  | 'order_id'
  | 'platform_id'
  | 'type'
  | 'linked_report_id'
  | 'status'
  | 'attempts'
  | 'queued_at'
  | 'next_attempt_at'
  | 'effective_from'
  | 'effective_until'
  | 'sla_deadline'
> &
  Pick<
    PlatformsRow,
    | 'webhook_url'
    | 'webhook_secret_enc'
    | 'webhook_secret_key_id'
    | 'webhook_secret_previous_enc'
    | 'webhook_secret_previous_key_id'
    | 'webhook_secret_previous_until'
    | 'sla_hours'
  > &
  Pick<OrderPlatformsRow, 'accounts_enc' | 'accounts_key_id'>;

// A linked account's directive (decision 0026) delivers the report's account, not the order's.
// The order's platform row is read per directive, by its primary key (a LATERAL with LIMIT 1, which
// PostgreSQL cannot turn into a join of its own choosing): as a plain join, a table without
// statistics yet led the planner to join `platforms` to `order_platforms` by platform first and
// read a platform's every order once per directive (51 ms for 10 directives, 0.74 ms with
// statistics; docs/performance.md § Issue 31 §5).
const TO_SEND = `SELECT d.id, d.order_id, d.platform_id, d.type, d.linked_report_id, d.status, d.attempts, d.queued_at, d.next_attempt_at, d.effective_from,
         d.effective_until, d.sla_deadline, p.webhook_url, p.webhook_secret_enc, p.webhook_secret_key_id,
         p.webhook_secret_previous_enc, p.webhook_secret_previous_key_id, p.webhook_secret_previous_until,
         p.sla_hours,
         CASE WHEN d.linked_report_id IS NULL THEN op.accounts_enc ELSE la.account_enc END AS accounts_enc,
         CASE WHEN d.linked_report_id IS NULL THEN op.accounts_key_id ELSE la.account_key_id END AS accounts_key_id
  FROM directives d
  JOIN platforms p ON p.id = d.platform_id
  CROSS JOIN LATERAL (SELECT accounts_enc, accounts_key_id FROM order_platforms
    WHERE order_id = d.order_id AND platform_id = d.platform_id LIMIT 1) op
  LEFT JOIN ${orderRelations.linkedAccounts} la ON la.id = d.linked_report_id`;

const toSendOf = (r: ToSendRow): DirectiveToSend => ({
  id: r.id,
  orderId: r.order_id,
  platformId: r.platform_id,
  type: r.type,
  linkedReportId: r.linked_report_id,
  status: r.status,
  attempts: r.attempts,
  queuedAt: r.queued_at,
  nextAttemptAt: r.next_attempt_at,
  effectiveFrom: r.effective_from,
  effectiveUntil: r.effective_until,
  slaDeadline: r.sla_deadline,
  webhookUrl: r.webhook_url,
  webhookSecretEnc: r.webhook_secret_enc,
  webhookSecretKeyId: r.webhook_secret_key_id,
  webhookSecretPreviousEnc: r.webhook_secret_previous_enc,
  webhookSecretPreviousKeyId: r.webhook_secret_previous_key_id,
  webhookSecretPreviousUntil: r.webhook_secret_previous_until,
  slaHours: r.sla_hours,
  accountsEnc: r.accounts_enc,
  accountsKeyId: r.accounts_key_id,
});

/**
 * What is read of `directives`, `outbox` and `order_platforms` without changing them: an order's
 * progress, the directives a delivery or a platform's pull sends, the lost-job sweep's candidates.
 * EnforcementStore owns every change; the figures for operators are EnforcementMetricsQueries'.
 */
@Injectable()
export class EnforcementReads {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** How far each platform of these orders got, by order then platform. */
  async platformsOf(runner: Runner, orderIds: string[]): Promise<PlatformEnforcement[]> {
    if (orderIds.length === 0) return [];
    const rows = await queryRows<
      Pick<
        OrderPlatformsRow,
        | 'order_id'
        | 'platform_id'
        | 'status'
        | 'account_count'
        | 'delivered_at'
        | 'enforced_at'
        | 'sla_deadline'
        | 'lifted_at'
        | 'outcome'
        | 'acknowledged_at'
      >
    >(
      runner,
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
    const rows = await queryRows<
      Pick<
        DirectivesRow,
        | 'id'
        | 'order_id'
        | 'platform_id'
        | 'type'
        | 'status'
        | 'attempts'
        | 'last_error'
        | 'delivered_at'
        | 'sla_deadline'
        | 'acknowledged_at'
        | 'outcome'
      >
    >(
      runner,
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

  /** The directives of an order's accepted linked accounts, oldest first (decision 0026). */
  async linkedOf(runner: Runner, orderId: string): Promise<LinkedDirectiveState[]> {
    const rows = await queryRows<Pick<DirectivesRow, 'id' | 'linked_report_id' | 'type' | 'status' | 'outcome'>>(
      runner,
      `SELECT id, linked_report_id, type, status, outcome FROM directives
       WHERE order_id = $1 AND linked_report_id IS NOT NULL ORDER BY created_at, type DESC`,
      [orderId],
    );
    return rows.map((r) => ({ id: r.id, reportId: r.linked_report_id!, type: r.type, status: r.status, outcome: r.outcome }));
  }

  /** These directives with what it takes to send them (one query for the jobs in hand). */
  async toSend(ids: string[]): Promise<DirectiveToSend[]> {
    return (await queryRows<ToSendRow>(this.dataSource, `${TO_SEND} WHERE d.id = ANY($1::uuid[])`, [ids])).map(toSendOf);
  }

  /** A platform's directives in these statuses, oldest first, after a cursor (pull mode). */
  async forPlatform(platformId: string, statuses: DirectiveStatus[], afterId: string, limit: number): Promise<DirectiveToSend[]> {
    const rows = await queryRows<ToSendRow>(
      this.dataSource,
      `${TO_SEND} WHERE d.platform_id = $1 AND d.status = ANY($2::text[]) AND d.id > $3 ORDER BY d.id LIMIT $4`,
      [platformId, statuses, afterId, limit],
    );
    return rows.map(toSendOf);
  }

  /** Queued push directives that should have moved by `staleBefore`: their jobs may be lost. */
  async stalePushes(staleBefore: Date, limit: number, afterDirectiveId = '00000000-0000-0000-0000-000000000000'): Promise<Relayed[]> {
    // Paged by directive id (uuidv7: in creation order), so that a sweep after a full page goes on
    // where the last one stopped instead of reading the same oldest rows again (directives waiting
    // on an open breaker look stale while their jobs are alive).
    const rows = await queryRows<RelayedRow>(
      this.dataSource,
      `SELECT o.id AS outbox_id, d.id AS directive_id, d.order_id, d.platform_id, d.type, true AS push, d.next_attempt_at, d.queued_at
       FROM directives d
       JOIN platforms p ON p.id = d.platform_id AND ${PUSH_SQL}
       JOIN outbox o ON o.directive_id = d.id
       WHERE d.status = 'queued' AND COALESCE(d.next_attempt_at, d.queued_at) < $1 AND d.id > $3
       ORDER BY d.id
       LIMIT $2`,
      [staleBefore, limit, afterDirectiveId],
    );
    return rows.map(relayedOf);
  }
}
