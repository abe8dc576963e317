import type { AppConfig } from '@ostracon/config';
import { type ConnectionOptions, Queue, RedisConnection } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';

export const DIRECTIVES_QUEUE = 'directives';
export const DELIVER_JOB = 'deliver';
/** Every job name the directives queue carries: the worker refuses to start without a handler for each. */
export const DIRECTIVE_JOB_NAMES = [DELIVER_JOB] as const;

/** A job carries ids only; the processor re-reads the directive (docs/CONTRIBUTING.md § Jobs). */
export const deliverJobSchema = z.strictObject({ v: z.literal(1), directiveId: z.uuid(), outboxId: z.string().regex(/^\d+$/) });
export type DeliverJob = z.infer<typeof deliverJobSchema>;

/**
 * BullMQ's documented settings: a Worker's connection must retry forever
 * (`maxRetriesPerRequest: null`) so it outlives a Redis restart; a producer's connection fails
 * fast instead (`enableOfflineQueue: false`), so an API or relay call never hangs on a Redis
 * outage: PostgreSQL keeps the outbox and the relay tries again.
 */
export function workerConnection(config: AppConfig, name: string): ConnectionOptions {
  // Options, not a client: BullMQ then owns the connections it makes, and closes them with the worker.
  const url = new URL(config.redis.url);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
}

export function producerConnection(config: AppConfig, name: string): Redis {
  return new Redis(config.redis.url, { connectionName: name, maxRetriesPerRequest: 1, enableOfflineQueue: false });
}

/**
 * BullMQ's connection, with one uncaught error fewer. Closing a queue whose shared connection is
 * still connecting (Redis down) removes the connection's listeners while that connect is pending;
 * when the client is then disconnected, the connect fails and BullMQ emits the error with nobody
 * listening: an uncaught exception that would take the process down on its way out. After close,
 * such errors have nowhere to go, so they are dropped here.
 */
class QuietlyClosedConnection extends RedisConnection {
  override async close(force?: boolean): Promise<void> {
    try {
      await super.close(force);
    } finally {
      this.on('error', () => undefined);
    }
  }
}

export function directivesQueue(connection: Redis): Queue<DeliverJob> {
  return new Queue<DeliverJob>(
    DIRECTIVES_QUEUE,
    {
      connection,
      defaultJobOptions: {
        // Retries of a platform's answers are counted in PostgreSQL (DelayedError, no attempt spent);
        // these attempts only cover the unexpected: PostgreSQL briefly unreachable, a bug.
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      },
    },
    QuietlyClosedConnection,
  );
}
