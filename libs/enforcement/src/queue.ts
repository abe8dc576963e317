import type { AppConfig } from '@ostracon/config';
import { type ConnectionOptions, Queue, RedisConnection } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';

export const DIRECTIVES_QUEUE = 'directives';
/** One directive: a relay pass's only one for its platform, a retry, or a job the sweep re-created. */
export const DELIVER_JOB = 'deliver';
/** A relay pass's directives for one platform, sent together (decision 0031). */
export const DELIVER_BATCH_JOB = 'deliver-batch';
/** Every job name the directives queue carries: the worker refuses to start without a handler for each. */
export const DIRECTIVE_JOB_NAMES = [DELIVER_JOB, DELIVER_BATCH_JOB] as const;
/** The most directives one batch job carries: a relay pass claims no more. */
export const MAX_BATCH = 500;

const directiveIds = { directiveId: z.uuid(), outboxId: z.string().regex(/^\d+$/) };
/** A job carries ids only; the processor re-reads the directive (docs/CONTRIBUTING.md § Jobs). */
export const deliverJobSchema = z.strictObject({ v: z.literal(1), ...directiveIds });
export type DeliverJob = z.infer<typeof deliverJobSchema>;
export const deliverBatchJobSchema = z.strictObject({
  v: z.literal(1),
  directives: z.array(z.strictObject(directiveIds)).min(1).max(MAX_BATCH),
});
export type DeliverBatchJob = z.infer<typeof deliverBatchJobSchema>;
export type DirectiveJob = DeliverJob | DeliverBatchJob;

/** The job id of an outbox row (BullMQ refuses ids that look like integers, its own kind). */
export function jobIdOf(outboxId: string | number): string {
  return `outbox-${outboxId}`;
}

/**
 * The job id of a relay pass's directives for one platform: made of what each of them keeps in
 * PostgreSQL (`queued_at`, the pass's instant, and the platform), so that the lost-job sweep finds
 * the job a queued directive went out in.
 */
export function batchJobIdOf(queuedAt: Date, platformId: string): string {
  return `pass-${queuedAt.getTime()}-${platformId}`;
}

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

export function directivesQueue(connection: Redis): Queue<DirectiveJob> {
  return new Queue<DirectiveJob>(
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
