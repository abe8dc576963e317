import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import {
  DELIVER_BATCH_JOB,
  DELIVER_JOB,
  DIRECTIVE_JOB_NAMES,
  DIRECTIVES_QUEUE,
  type DeliverBatchJob,
  type DeliverJob,
  DeliveryService,
  type DirectiveJob,
  EnforcementMetricsQueries,
  deliverBatchJobSchema,
  deliverJobSchema,
  directivesQueue,
  jobIdOf,
  producerConnection,
  workerConnection,
} from '@ostracon/enforcement';
import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

/**
 * Delivers directives from the queue. A platform's failures are retried from PostgreSQL's
 * count (the job is delayed, no BullMQ attempt spent); a final failure is UnrecoverableError.
 * A relay pass's directives for one platform come in one job (decision 0031): each one that is to
 * be retried gets a delayed job of its own, added before the batch job completes.
 * A watchdog replaces the BullMQ worker if it stops running or stops taking jobs.
 */
@Injectable()
export class DirectiveProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DirectiveProcessor');
  private worker?: Worker<DirectiveJob>;
  /** Where a batch's retries go (a producer's connection: it fails fast, and the batch job is retried). */
  private redis?: Redis;
  private retries?: Queue<DirectiveJob>;
  private watchdog?: NodeJS.Timeout;
  private lastProgress = Date.now();
  private stopping = false;
  /** How many times the watchdog replaced a wedged worker (tests and metrics read it). */
  restarts = 0;

  constructor(
    private readonly delivery: DeliveryService,
    private readonly figures: EnforcementMetricsQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  /** Each job name of the queue and its one handler: a name without one stops the worker at start. */
  private readonly handlers: Record<string, (job: Job<DirectiveJob>, token?: string) => Promise<string>> = {
    [DELIVER_JOB]: (job, token) => this.deliver(job as Job<DeliverJob>, token),
    [DELIVER_BATCH_JOB]: (job) => this.deliverBatch(job as Job<DeliverBatchJob>),
  };

  onApplicationBootstrap(): void {
    const unhandled = DIRECTIVE_JOB_NAMES.filter((name) => !this.handlers[name]);
    if (unhandled.length > 0) throw new Error(`the ${DIRECTIVES_QUEUE} queue carries jobs no handler takes: ${unhandled.join(', ')}`);
    if (this.options.delivery === false) return;
    this.redis = producerConnection(this.config, 'ostracon-delivery-retries');
    this.redis.on('error', () => undefined); // reported where it matters: a batch job that fails and is retried
    this.retries = directivesQueue(this.redis);
    this.retries.on('error', () => undefined);
    this.worker = this.createWorker();
    this.watchdog = setInterval(() => void this.checkWorker(), this.config.worker.watchdogIntervalMs);
  }

  /** The current BullMQ worker (replaced by the watchdog when wedged). */
  get current(): Worker<DirectiveJob> | undefined {
    return this.worker;
  }

  private createWorker(): Worker<DirectiveJob> {
    const worker = new Worker<DirectiveJob>(DIRECTIVES_QUEUE, (job, token) => this.process(job, token), {
      connection: workerConnection(this.config, 'ostracon-delivery'),
      concurrency: this.config.delivery.concurrency,
      lockDuration: this.config.delivery.queueLockMs,
      stalledInterval: this.config.delivery.queueLockMs,
      maxStalledCount: 10,
    });
    worker.on('error', (error) => this.logger.warn(`queue connection: ${error.message}`));
    for (const event of ['active', 'completed', 'failed', 'drained'] as const) worker.on(event, () => (this.lastProgress = Date.now()));
    return worker;
  }

  process(job: Job<DirectiveJob>, token?: string): Promise<string> {
    const handler = this.handlers[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
    return handler(job, token);
  }

  private async deliver(job: Job<DeliverJob>, token?: string): Promise<string> {
    const parsed = deliverJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('job payload does not match its schema');
    const outcome = await this.delivery.deliver(parsed.data);
    switch (outcome.kind) {
      case 'done':
        return outcome.note;
      case 'failed':
        throw new UnrecoverableError('the platform did not take the directive; it is failed for good');
      case 'retry':
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
    }
  }

  /**
   * Every directive of the batch sent and recorded; those to be retried get a delayed job of their
   * own (`outbox-<id>`, the id the lost-job sweep looks for), and those failed for good are recorded
   * as such. If Redis refuses the retries' jobs, the batch job fails and BullMQ runs it again: its
   * directives delivered meanwhile are done, and those waiting for a retry are left to it.
   */
  private async deliverBatch(job: Job<DeliverBatchJob>): Promise<string> {
    const parsed = deliverBatchJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('job payload does not match its schema');
    const { directives } = parsed.data;
    // A batch can take a while against a slow platform: each directive done is progress to the watchdog.
    const outcomes = await this.delivery.deliverBatch(
      directives.map((d) => d.directiveId),
      () => (this.lastProgress = Date.now()),
    );
    const retries = directives.flatMap((d, i) => {
      const outcome = outcomes[i]!;
      if (outcome.kind !== 'retry') return [];
      return [{ name: DELIVER_JOB, data: { v: 1 as const, ...d }, opts: { jobId: jobIdOf(d.outboxId), delay: outcome.delayMs } }];
    });
    if (retries.length > 0) await this.retries!.addBulk(retries);
    const failed = outcomes.filter((o) => o.kind === 'failed').length;
    return `${directives.length - retries.length - failed} done, ${retries.length} to retry, ${failed} failed`;
  }

  /** A worker that stopped running, or that takes nothing while jobs wait, is replaced. */
  private async checkWorker(): Promise<void> {
    if (this.stopping || !this.worker) return;
    const idleMs = Date.now() - this.lastProgress;
    let wedged = !this.worker.isRunning();
    if (!wedged && idleMs > 4 * this.config.delivery.queueLockMs && !this.worker.isPaused()) {
      // PostgreSQL says whether work is overdue: Redis may be the part that went wrong.
      wedged = await this.figures.pushOverdue(idleMs / 1000).catch(() => false);
    }
    if (!wedged) return;
    this.logger.error(`delivery worker wedged (running: ${this.worker.isRunning()}, idle ${idleMs} ms); replacing it`);
    const old = this.worker;
    this.worker = this.createWorker();
    this.lastProgress = Date.now();
    this.restarts++;
    await old.close(true).catch(() => undefined);
  }

  /** Finishes in-flight deliveries (BullMQ waits for them), then stops. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    await this.worker?.close();
    await this.retries?.close().catch(() => undefined);
    this.redis?.disconnect();
  }
}
