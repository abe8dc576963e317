import { Controller, Get, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommonErrors, DomainError } from '@ostracon/common';
import { REDIS, redisReady } from '@ostracon/database';
import type { Redis } from 'ioredis';
import { ScreeningIndexService } from '@ostracon/screening';
import type { DataSource } from 'typeorm';

const CHECK_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly screening: ScreeningIndexService,
  ) {}

  /** The process is up and serving. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** PostgreSQL and Redis answer and the sign-up index is built: 503 with Retry-After otherwise. */
  @Get('ready')
  async ready() {
    const [postgres, redis] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      check(async () => {
        // Just started or reconnecting: wait (within the timeout) rather than report a blip.
        await redisReady(this.redis);
        return this.redis.ping();
      }),
    ]);
    const index = this.screening.current ? 'ok' : 'loading';
    if (postgres !== 'ok' || redis !== 'ok' || index !== 'ok') {
      throw new DomainError(CommonErrors.unavailable, `postgres: ${postgres}, redis: ${redis}, index: ${index}`, undefined, {
        'retry-after': '5',
      });
    }
    return { status: 'ok', checks: { postgres, redis, index } };
  }
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
