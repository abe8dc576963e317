import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock } from '@ostracon/common';
import type { JobsOptions, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { EnforcementReads } from './enforcement.reads';
import { EnforcementStore } from './enforcement.store';
import type { Relayed } from './enforcement.types';
import { DELIVER_BATCH_JOB, DELIVER_JOB, type DirectiveJob, MAX_BATCH, batchJobIdOf, jobIdOf } from './queue';

/** A job as the relay adds it. */
interface NewJob {
  name: string;
  data: DirectiveJob;
  opts: JobsOptions;
}

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Moves due outbox rows into BullMQ: a pass's directives for one platform in one job
 * (`pass-<queued at>-<platform>`, decision 0031), a platform's only one in a job of its own
 * (`outbox-<outbox id>`). Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so any number of relays share the work and each row is relayed by one
 * of them. Jobs are added once the claim has committed, so a job never sees its directive before
 * it is `queued`. If the add fails (Redis down), the claim is undone in a second transaction: the
 * directives go back to `pending` (audited `directive.unqueued`), where a revocation still
 * cancels them before any platform hears of them, and the next pass claims them again. A crash
 * between the commit and the add leaves queued directives without a job, which `requeueLost`
 * re-creates (PostgreSQL is the record, Redis only the carrier).
 */
@Injectable()
export class OutboxRelay {
  /** Where the lost-job sweep goes on from (a directive id), when its last page was full. */
  private staleCursor: string | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EnforcementStore,
    private readonly directives: EnforcementReads,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Relays one batch (at most MAX_BATCH rows: a platform's share is one job); returns how many rows it claimed (0 when there is nothing due). */
  async relayBatch(queue: Queue<DirectiveJob>, batchSize = MAX_BATCH): Promise<number> {
    if (batchSize > MAX_BATCH) throw new Error(`a relay pass claims at most ${MAX_BATCH} rows, not ${batchSize}`);
    const now = this.clock.now();
    const { claimed, queued } = await this.dataSource.transaction(async (em) => {
      const due = await this.store.queueDue(em, now, batchSize);
      await this.audit.recordMany(
        em,
        due.queued.map((c) => ({
          type: 'directive.queued' as const,
          actor: 'system:relay' as const,
          orderId: c.orderId,
          platformId: c.platformId,
          data: { directiveId: c.directiveId, directiveType: c.type, delivery: c.push ? 'push' : 'pull' },
        })),
      );
      return due;
    });
    const pushes = queued.filter((c) => c.push);
    if (pushes.length > 0) {
      try {
        await queue.addBulk(this.jobs(pushes, now));
      } catch (error) {
        // If PostgreSQL refuses the undo too, requeueLost finds these directives later.
        await this.undo(pushes).catch(() => undefined);
        throw error;
      }
    }
    return claimed;
  }

  /** The claim of directives whose jobs could not be added, undone (the caller says why: Redis). */
  private async undo(pushes: Relayed[]): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const back = await this.store.unqueue(
        em,
        pushes.map((c) => c.directiveId),
      );
      await this.audit.recordMany(
        em,
        back.map((b) => ({
          type: 'directive.unqueued' as const,
          actor: 'system:relay' as const,
          orderId: b.orderId,
          platformId: b.platformId,
          data: { directiveId: b.id, directiveType: b.type, reason: 'queue_unavailable' },
        })),
      );
    });
  }

  /**
   * Re-creates the job of every queued push directive that should have moved by now but has
   * no job in Redis (Redis lost or flushed, or a relay that died between its commit and the add).
   */
  async requeueLost(queue: Queue<DirectiveJob>, staleAfterMs: number, limit = 1000): Promise<number> {
    const now = this.clock.now();
    const stale = await this.directives.stalePushes(new Date(now.getTime() - staleAfterMs), limit, this.staleCursor);
    // A full page: the next sweep goes on from here; a short one: it starts over.
    this.staleCursor = stale.length === limit ? stale[stale.length - 1]!.directiveId : undefined;
    const lost: Relayed[] = [];
    for (const c of stale) {
      // Its pass's job, while alive, still carries it; else its own job, if it has one.
      if (c.queuedAt && (await this.liveJob(queue, batchJobIdOf(c.queuedAt, c.platformId))) === 'live') continue;
      if ((await this.liveJob(queue, jobIdOf(c.outboxId))) !== 'live') lost.push(c);
    }
    if (lost.length > 0) await queue.addBulk(lost.map((c) => this.job(c, now)));
    return lost.length;
  }

  /**
   * Whether the job of this id is alive. A job that ended while its directive is still queued (its
   * worker died in a way BullMQ recorded as final), or a husk left by a flush mid-delivery (state
   * unknown, or a hash BullMQ cannot read back), would block a re-add under the same id: removed.
   */
  private async liveJob(queue: Queue<DirectiveJob>, jobId: string): Promise<'live' | 'none'> {
    let job: Awaited<ReturnType<typeof queue.getJob>>;
    try {
      job = await queue.getJob(jobId);
    } catch {
      await queue.remove(jobId).catch(() => undefined);
      return 'none';
    }
    if (!job) return 'none';
    if (LIVE_STATES.has(await job.getState())) return 'live';
    await job.remove().catch(() => undefined);
    return 'none';
  }

  /**
   * The jobs of a pass's push directives: one per platform for those due now, so that a backlog
   * costs the queue a job per platform and pass rather than per directive; one each for a
   * platform's only directive and for one that waits for its next attempt (its own delay).
   */
  private jobs(pushes: Relayed[], now: Date): NewJob[] {
    const byPlatform = new Map<string, Relayed[]>();
    const single: Relayed[] = [];
    for (const c of pushes) {
      if (c.nextAttemptAt && c.nextAttemptAt.getTime() > now.getTime()) single.push(c);
      else byPlatform.set(c.platformId, [...(byPlatform.get(c.platformId) ?? []), c]);
    }
    const batches = [...byPlatform].flatMap(([platformId, cs]): NewJob[] => {
      if (cs.length === 1) return [this.job(cs[0]!, now)];
      return [
        {
          name: DELIVER_BATCH_JOB,
          data: { v: 1 as const, directives: cs.map((c) => ({ directiveId: c.directiveId, outboxId: c.outboxId })) },
          opts: { jobId: batchJobIdOf(now, platformId) },
        },
      ];
    });
    return [...batches, ...single.map((c) => this.job(c, now))];
  }

  private job(c: Relayed, now: Date): NewJob {
    const delay = c.nextAttemptAt ? Math.max(0, c.nextAttemptAt.getTime() - now.getTime()) : 0;
    return {
      name: DELIVER_JOB,
      data: { v: 1 as const, directiveId: c.directiveId, outboxId: c.outboxId },
      opts: { jobId: jobIdOf(c.outboxId), delay },
    };
  }
}
