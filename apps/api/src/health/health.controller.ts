import { Controller, Get, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyIndex, OidcProvider } from '@ostracon/auth';
import { CommonErrors, DomainError } from '@ostracon/common';
import { REDIS, pingDatabase, redisReady } from '@ostracon/database';
import type { Redis } from 'ioredis';
import { ScreeningIndexService } from '@ostracon/screening';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { clusterState } from '../cluster';
import { ApiRoute } from '../openapi/api-route';

const CHECK_TIMEOUT_MS = 2000;

const livenessSchema = z.object({ status: z.literal('ok') });
const up = z.enum(['ok', 'down']);
const loaded = z.enum(['ok', 'loading']);
const readinessSchema = z.object({
  status: z.enum(['ok', 'degraded']).meta({ description: 'degraded: PostgreSQL or Redis is down, and checks go on from memory' }),
  checks: z.object({
    postgres: up,
    redis: up,
    index: loaded,
    keys: loaded,
    signIn: z.enum(['ok', 'checking', 'unavailable', 'off']).meta({
      description:
        "People's sign-in: the OpenID provider discovered (ok), being checked at start, unavailable (retried; people cannot sign in), or off (not configured). Never changes status nor the code: sign-up checks do not depend on it",
    }),
  }),
  processes: z
    .object({ ready: z.number().int(), total: z.number().int(), pid: z.number().int() })
    .meta({ description: 'API_PROCESSES > 1: how many of the processes sharing the port serve, and which one answered' }),
});

@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly screening: ScreeningIndexService,
    private readonly keys: ApiKeyIndex,
    private readonly provider: OidcProvider,
  ) {}

  /** The process is up and serving. */
  @Get('live')
  @ApiRoute({
    operationId: 'getLiveness',
    summary: 'Liveness',
    tag: 'operations',
    responses: { 200: { description: 'Up', schema: livenessSchema } },
  })
  live(): z.output<typeof livenessSchema> {
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
  @ApiRoute({
    operationId: 'getReadiness',
    summary:
      'Readiness: this process can serve (sign-up index built, API keys read). PostgreSQL or Redis down makes it "degraded", not unready: checks go on from memory',
    tag: 'operations',
    responses: {
      200: {
        description: '{ status: "ok" | "degraded", checks: { postgres, redis, index, keys, signIn }, processes }',
        schema: readinessSchema,
      },
    },
    errors: [{ error: CommonErrors.unavailable, note: 'while the index or the keys load; with Retry-After' }],
  })
  async ready(): Promise<z.output<typeof readinessSchema>> {
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
      // The provider is reported, never a reason to be unready: platforms' sign-up checks do not need it.
      checks: { postgres, redis, index, keys, signIn: this.provider.status },
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
