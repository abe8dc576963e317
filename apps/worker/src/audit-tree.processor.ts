import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditTreeService, WitnessingService } from '@ostracon/audit';
import { CLOCK, type Clock } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

/** Events per extension: a tick's worth at 4,000 events/s. */
const EXTEND_BATCH = 2000;

/**
 * Keeps the audit Merkle tree current behind the writers, signs a checkpoint every few seconds
 * when it grew, and asks the witnesses to cosign it: in the background, so that a slow or absent
 * witness never holds up the tree or the next checkpoint.
 */
@Injectable()
export class AuditTreeProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditTree');
  private treeTimer?: NodeJS.Timeout;
  private checkpointTimer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private readonly witnessing = new Set<Promise<void>>();

  constructor(
    private readonly tree: AuditTreeService,
    private readonly witnesses: WitnessingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.auditTree === false) return;
    this.treeTimer = setInterval(() => void this.catchUp(), this.config.audit.treeIntervalMs);
    this.checkpointTimer = setInterval(() => void this.sign(), this.config.audit.checkpointIntervalMs);
    void this.catchUp();
    void this.tree.noteLatest().then(
      () => this.witness(),
      (error: Error) => this.logger.warn(`could not give the latest checkpoint its signed note: ${error.message}`),
    );
  }

  /**
   * Extends the tree by the events committed so far, a batch at a time while batches come full.
   * What commits meanwhile waits for the next tick: under steady writers, extending until none
   * was left ran one small extension after another, each rewriting the partial tiles (profiled:
   * most of the worker's CPU in the audit bench, docs/performance.md § Issue 31 target 6).
   */
  catchUp(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        while ((await this.tree.extend(EXTEND_BATCH)) === EXTEND_BATCH);
      } catch (error) {
        this.logger.warn(`audit tree extension failed, will retry: ${(error as Error).message}`);
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async sign(): Promise<void> {
    try {
      await this.catchUp();
      const checkpoint = await this.tree.checkpoint(this.clock.now());
      if (checkpoint) this.logger.debug?.(`checkpoint ${checkpoint.size} ${checkpoint.rootHash}`);
    } catch (error) {
      this.logger.warn(`audit checkpoint failed, will retry: ${(error as Error).message}`);
    }
    void this.witness();
  }

  /**
   * Asks every witness that is not already being asked (nor backing off) for the newest
   * checkpoint: a witness still busy with an earlier one holds up only itself.
   */
  witness(): Promise<void> {
    const round = this.witnesses
      .round(() => this.clock.now())
      .catch((error: Error) => this.logger.warn(`asking the witnesses failed, will retry: ${error.message}`))
      .finally(() => this.witnessing.delete(round));
    this.witnessing.add(round);
    return round;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.treeTimer);
    clearInterval(this.checkpointTimer);
    await this.running;
    await Promise.all(this.witnessing);
  }
}
