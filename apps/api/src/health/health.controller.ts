import { Controller, Get, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyIndex } from '@ostracon/auth';
import { CommonErrors, DomainError } from '@ostracon/common';
import { REDIS, pingDatabase, redisReady } from '@ostracon/database';
import type { Redis } from 'ioredis';
import { ScreeningIndexService } from '@ostracon/screening';
import type { DataSource } from 'typeorm';
import { clusterState } from '../cluster';

const CHECK_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly screening: ScreeningIndexService,
    private readonly keys: ApiKeyIndex,
  ) {}

  /** The process is up and serving. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready once this process can serve: its sign-up index is built and its API keys are read
   * (503 with Retry-After until then). PostgreSQL or Redis down does not make it unready: the
   * sign-up checks go on from memory during an outage (docs/screening.md), and taking every API
   * process out of a load balancer would stop them too. The answer then says `degraded`, with
   * which dependency is down.
   */
  @Get('ready')
  async ready() {
    const [postgres, redis] = await Promise.all([
      check(() => pingDatabase(this.dataSource)),
      check(async () => {
        // Just started or reconnecting: wait (within the timeout) rather than report a blip.
        await redisReady(this.redis);
        return this.redis.ping();
      }),
    ]);
    const index = this.screening.current ? 'ok' : 'loading';
    const keys = this.keys.ready ? 'ok' : 'loading';
    if (index !== 'ok' || keys !== 'ok') {
      throw new DomainError(CommonErrors.unavailable, `postgres: ${postgres}, redis: ${redis}, index: ${index}, keys: ${keys}`, undefined, {
        'retry-after': '5',
      });
    }
    return {
      status: postgres === 'ok' && redis === 'ok' ? 'ok' : 'degraded',
      checks: { postgres, redis, index, keys },
      // API_PROCESSES > 1: how many of the processes sharing the port serve, and which one answered.
      processes: { ready: Math.max(clusterState.ready, 1), total: clusterState.total, pid: process.pid },
    };
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
