import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { REDIS, pingDatabase, redisReady } from '@ostracon/database';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

/** Checks both stores at start, so a worker that cannot work says so at once instead of idling. */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await pingDatabase(this.dataSource);
    await redisReady(this.redis);
    await this.redis.ping();
    this.logger.log('PostgreSQL and Redis reachable');
  }

  onApplicationShutdown(): void {
    this.logger.log('worker stopped');
  }
}
