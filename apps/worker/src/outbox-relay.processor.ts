import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { CHANNELS, PgListener, redisReady } from '@ostracon/database';
import { type DirectiveJob, OutboxRelay, directivesQueue, producerConnection } from '@ostracon/enforcement';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

const BATCH = 500;

/**
 * Runs the outbox relay: woken by LISTEN/NOTIFY the moment an order commits, and by a periodic
 * sweep as a safety net (a lost notification, a directive that just became due, Redis back).
 */
@Injectable()
export class OutboxRelayProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private redis?: Redis;
  private queue?: Queue<DirectiveJob>;
  private sweep?: NodeJS.Timeout;
  private requeue?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
    private readonly listener: PgListener,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay === false) return;
    this.redis = producerConnection(this.config, 'ostracon-relay');
    this.redis.on('error', () => undefined); // reported where it matters: a failed relay pass
    this.queue = directivesQueue(this.redis);
    this.queue.on('error', () => undefined);
    // A first pass before the connection is up would only fail; Redis down at start is fine (the sweep retries).
    await redisReady(this.redis).catch(() => undefined);
    // A lost notification is covered by the sweep; a reconnection wakes the relay once.
    await this.listener.subscribe(CHANNELS.outbox, { onNotify: () => this.wake(), onResume: () => this.wake() });
    this.sweep = setInterval(() => this.wake(), this.config.worker.relaySweepMs);
    this.requeue = setInterval(() => void this.requeueLost(), Math.max(this.config.worker.relaySweepMs, 1000) * 2);
    this.wake();
  }

  /** Runs passes until nothing is due; a wake-up during a pass asks for one more. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while (!this.stopped && (await this.relay.relayBatch(this.queue!, BATCH)) === BATCH);
        } catch (error) {
          this.logger.warn(`relay pass failed, will retry: ${(error as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  private async requeueLost(): Promise<void> {
    if (this.stopped || !this.queue) return;
    try {
      const n = await this.relay.requeueLost(this.queue, this.config.worker.relayRequeueAfterMs);
      if (n > 0) this.logger.warn(`re-created ${n} job(s) missing from Redis`);
    } catch (error) {
      this.logger.warn(`requeue check failed: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    clearInterval(this.requeue);
    await this.running;
    await this.queue?.close().catch(() => undefined);
    this.redis?.disconnect();
  }
}
