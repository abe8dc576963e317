import { once } from 'node:events';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');

/** One Redis connection per process, for readiness, rate limits and (later) queues. */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(connectionName: string): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: REDIS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            new Redis(config.redis.url, {
              connectionName,
              // Fail fast while Redis is down: PostgreSQL holds the record, Redis only carries work.
              maxRetriesPerRequest: 1,
              enableOfflineQueue: false,
              lazyConnect: false,
              // Concurrent requests' commands (rate limits on the sign-up path) share one write.
              enableAutoPipelining: true,
            }),
        },
      ],
      exports: [REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Resolves once the connection is ready (at once if it is); rejects on a connection error. */
export async function redisReady(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') await once(redis, 'ready');
}
