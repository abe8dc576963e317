import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DirectivesRow, type PlatformsRow, queryRows } from '@ostracon/database';
import { PUSH_SQL } from '@ostracon/platforms';
import type { DataSource } from 'typeorm';
import type { DirectiveStatus, DirectiveType } from './enforcement.types';
import { notWaitingSql } from './enforcement.store';

/** count(*) is a bigint: pg gives it as text. */
type Counted = { n: string };

/**
 * Figures about directives and the outbox, read from PostgreSQL (the record) for the operators'
 * gauges (apps/api metrics) and the worker's watchdog: aggregates only, nothing changed.
 */
@Injectable()
export class EnforcementMetricsQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async countByTypeAndStatus(): Promise<{ type: DirectiveType; status: DirectiveStatus; count: number }[]> {
    const rows = await queryRows<Pick<DirectivesRow, 'type' | 'status'> & Counted>(
      this.dataSource,
      `SELECT type, status, count(*) AS n FROM directives GROUP BY type, status`,
    );
    return rows.map((r) => ({ type: r.type, status: r.status, count: Number(r.n) }));
  }

  /**
   * Seconds the oldest outbox row the relay should have moved to the queue has waited since it
   * became due (0: none waits). A suspend for a later start, or a lift behind its unsettled
   * suspend, is not due yet: the relay's own rule (EnforcementStore.queueDue).
   */
  async oldestUnrelayedSeconds(): Promise<number> {
    // extract() is a numeric, given as text; null when no row waits.
    const [row] = await queryRows<{ age: string | null }>(
      this.dataSource,
      `SELECT max(extract(epoch FROM now() - greatest(o.created_at, d.due_at))) AS age
       FROM outbox o JOIN directives d ON d.id = o.directive_id
       WHERE o.relayed_at IS NULL AND d.due_at <= now()
         AND ${notWaitingSql('d')}`,
    );
    return row?.age === null || row?.age === undefined ? 0 : Math.max(0, Number(row.age));
  }

  /** Directives queued and already failed at least once, by platform: what an open circuit breaker looks like from PostgreSQL. */
  async retryingByPlatform(): Promise<{ platformId: string; count: number }[]> {
    const rows = await queryRows<Pick<DirectivesRow, 'platform_id'> & Counted>(
      this.dataSource,
      `SELECT platform_id, count(*) AS n FROM directives WHERE status = 'queued' AND attempts > 0 GROUP BY platform_id`,
    );
    return rows.map((r) => ({ platformId: r.platform_id, count: Number(r.n) }));
  }

  /** Every platform, 0 included: an alert on a new breach needs the series before the first one. */
  async slaBreachesByPlatform(): Promise<{ platformId: string; count: number }[]> {
    const rows = await queryRows<{ platform_id: PlatformsRow['id'] } & Counted>(
      this.dataSource,
      `SELECT p.id AS platform_id, count(d.id) AS n
       FROM platforms p LEFT JOIN directives d ON d.platform_id = p.id AND d.sla_breached_at IS NOT NULL
       GROUP BY p.id`,
    );
    return rows.map((r) => ({ platformId: r.platform_id, count: Number(r.n) }));
  }

  /** Whether a queued push directive has waited past its time by more than `seconds` (the worker's watchdog). */
  async pushOverdue(seconds: number): Promise<boolean> {
    const rows = await queryRows<{ overdue: boolean }>(
      this.dataSource,
      `SELECT EXISTS (
         SELECT 1 FROM directives d JOIN platforms p ON p.id = d.platform_id AND ${PUSH_SQL}
         WHERE d.status = 'queued' AND COALESCE(d.next_attempt_at, d.queued_at) < now() - make_interval(secs => $1)) AS overdue`,
      [seconds],
    );
    return rows[0]?.overdue === true;
  }
}
