import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { LifecycleService } from '@ostracon/enforcement';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

/** Ticks the order lifecycle (activation, expiry, SLA breaches, purge) on an interval. */
@Injectable()
export class LifecycleProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    private readonly lifecycle: LifecycleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.lifecycle === false) return;
    this.timer = setInterval(() => void this.tick(), this.config.worker.lifecycleIntervalMs);
    void this.tick();
  }

  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.lifecycle
      .tick()
      .then((t) => {
        if (t.activated + t.expired + t.slaBreached + t.purged > 0) this.logger.log(`lifecycle: ${JSON.stringify(t)}`);
      })
      .catch((error: unknown) => this.logger.warn(`lifecycle tick failed, will retry: ${(error as Error).message}`))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
