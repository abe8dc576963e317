import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock } from '@ostracon/common';
import type { Queue } from 'bullmq';
import { queryRows } from '@ostracon/database';
import type { DataSource } from 'typeorm';
import { DELIVER_JOB, type DeliverJob } from './queue';

/** The job id of an outbox row (BullMQ refuses ids that look like integers, its own kind). */
export function jobIdOf(outboxId: string | number): string {
  return `outbox-${outboxId}`;
}

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

interface Claimed {
  outbox_id: string;
  directive_id: string;
  order_id: string;
  platform_id: string;
  type: 'suspend' | 'lift';
  push: boolean;
  next_attempt_at: Date | null;
}

/**
 * Moves due outbox rows into BullMQ (job id `outbox-<outbox id>`). Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so any number of relays share the work and each row is relayed by
 * one of them; the jobs are added before the claim commits, so a crash in between leaves the
 * row unrelayed and a later pass adds it again (BullMQ ignores a job id it already has).
 */
@Injectable()
export class OutboxRelay {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Relays one batch; returns how many rows it claimed (0 when there is nothing due). */
  async relayBatch(queue: Queue<DeliverJob>, batchSize = 500): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      // A lift waits until the same platform's suspend has settled, so it never overtakes it.
      const claimed: Claimed[] = await em.query(
        `SELECT o.id AS outbox_id, d.id AS directive_id, d.order_id, d.platform_id, d.type,
                (p.webhook_url IS NOT NULL) AS push, d.next_attempt_at
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
        [now, batchSize],
      );
      if (claimed.length === 0) return 0;
      await em.query(`UPDATE outbox SET relayed_at = $2 WHERE id = ANY($1::bigint[])`, [claimed.map((c) => c.outbox_id), now]);
      const queued: { id: string }[] = await queryRows(
        em,
        `UPDATE directives SET status = 'queued', queued_at = $2 WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`,
        [claimed.map((c) => c.directive_id), now],
      );
      const queuedIds = new Set(queued.map((q) => q.id));
      const toQueue = claimed.filter((c) => queuedIds.has(c.directive_id));
      const pushJobs = toQueue.filter((c) => c.push);
      if (pushJobs.length > 0) await queue.addBulk(pushJobs.map((c) => this.job(c, now)));
      await this.audit.recordMany(
        em,
        toQueue.map((c) => ({
          type: 'directive.queued' as const,
          actor: 'system:relay' as const,
          orderId: c.order_id,
          platformId: c.platform_id,
          data: { directiveId: c.directive_id, directiveType: c.type, delivery: c.push ? 'push' : 'pull' },
        })),
      );
      return claimed.length;
    });
  }

  /**
   * Re-creates the job of every queued push directive that should have moved by now but has
   * no job in Redis (Redis lost or flushed): PostgreSQL is the record, Redis only the carrier.
   */
  async requeueLost(queue: Queue<DeliverJob>, staleAfterMs: number, limit = 1000): Promise<number> {
    const now = this.clock.now();
    const stale: Claimed[] = await this.dataSource.query(
      `SELECT o.id AS outbox_id, d.id AS directive_id, d.order_id, d.platform_id, d.type, true AS push, d.next_attempt_at
       FROM directives d
       JOIN platforms p ON p.id = d.platform_id AND p.webhook_url IS NOT NULL
       JOIN outbox o ON o.directive_id = d.id
       WHERE d.status = 'queued' AND COALESCE(d.next_attempt_at, d.queued_at) < $1
       ORDER BY d.queued_at
       LIMIT $2`,
      [new Date(now.getTime() - staleAfterMs), limit],
    );
    const lost: Claimed[] = [];
    for (const c of stale) {
      const jobId = jobIdOf(c.outbox_id);
      let job: Awaited<ReturnType<typeof queue.getJob>>;
      try {
        job = await queue.getJob(jobId);
      } catch {
        // A husk: a flush while the job was active leaves a hash BullMQ cannot read back.
        await queue.remove(jobId).catch(() => undefined);
        lost.push(c);
        continue;
      }
      if (!job) {
        lost.push(c);
        continue;
      }
      // A job that ended while its directive is still queued (its worker died in a way BullMQ
      // recorded as final), or a husk left by a flush mid-delivery (state unknown), would block
      // a re-add under the same id: replace it.
      const state = await job.getState();
      if (!LIVE_STATES.has(state)) {
        await job.remove().catch(() => undefined);
        lost.push(c);
      }
    }
    if (lost.length > 0) await queue.addBulk(lost.map((c) => this.job(c, now)));
    return lost.length;
  }

  private job(c: Claimed, now: Date) {
    const delay = c.next_attempt_at ? Math.max(0, c.next_attempt_at.getTime() - now.getTime()) : 0;
    return {
      name: DELIVER_JOB,
      data: { v: 1 as const, directiveId: c.directive_id, outboxId: String(c.outbox_id) },
      opts: { jobId: jobIdOf(c.outbox_id), delay },
    };
  }
}
