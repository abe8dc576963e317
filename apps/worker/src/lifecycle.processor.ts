import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SessionStore } from '@ostracon/auth';
import { CLOCK, type Clock } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { SlaBreaches } from '@ostracon/enforcement';
import { OrderLifecycle } from '@ostracon/orders';
import { EvaluationCounts, PrivateSetStore } from '@ostracon/private-checks';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

/**
 * Ticks the time-based transitions on an interval: orders (activation, expiry, purge), the private
 * sets' removals followers have had a day to see, SLA breaches, old sessions, then the past hours'
 * private evaluation counts.
 */
@Injectable()
export class LifecycleProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    private readonly orders: OrderLifecycle,
    private readonly privateSets: PrivateSetStore,
    private readonly slaBreaches: SlaBreaches,
    private readonly sessions: SessionStore,
    private readonly evaluationCounts: EvaluationCounts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.lifecycle === false) return;
    this.timer = setInterval(() => void this.tick(), this.config.worker.lifecycleIntervalMs);
    void this.tick();
  }

  /** One pass; a pass already running is joined, not doubled. Failures are logged and retried at the next tick. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    // The steps are independent: one failing does not hold the others back.
    const step = <T>(name: string, run: () => Promise<T>): Promise<T | undefined> =>
      run().catch((error: unknown) => {
        this.logger.warn(`${name} failed, will retry: ${(error as Error).message}`);
        return undefined;
      });
    this.running = (async () => {
      const orders = await step('order lifecycle', () => this.orders.tick());
      await step('private set removals', () => this.privateSets.forgetUnheld(this.clock.now()));
      const slaBreached = await step('SLA breaches', () => this.slaBreaches.raise());
      const sessionsPurged = await step('session purge', () => this.sessions.purge());
      const countsAudited = await step('evaluation counts', () => this.evaluationCounts.auditCompleted(this.clock.now()));
      const t = {
        activated: 0,
        expired: 0,
        purged: 0,
        ...orders,
        slaBreached: slaBreached ?? 0,
        sessionsPurged: sessionsPurged ?? 0,
        countsAudited: countsAudited ?? 0,
      };
      if (t.activated + t.expired + t.slaBreached + t.purged + t.sessionsPurged + t.countsAudited > 0)
        this.logger.log(`lifecycle: ${JSON.stringify(t)}`);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
