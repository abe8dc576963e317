import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { Batcher } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import type { DataSource } from 'typeorm';
import type { DeliveryResult } from './adapters/platform-adapter';
import { backoffDelay } from './backoff';
import { EnforcementStore } from './enforcement.store';
import type { DirectiveToSend } from './enforcement.types';

/** What the queue should do with a job after one turn. */
export type DeliveryOutcome =
  | { kind: 'done'; note: string }
  /** Try again after `delayMs`; `attempted` says whether the platform was contacted. */
  | { kind: 'retry'; delayMs: number; attempted: boolean }
  | { kind: 'failed' };

interface Delivery {
  directiveId: string;
  at: Date;
  via: 'push' | 'pull';
}

/**
 * Records what an attempt came to: a delivery (pushed, or read by its platform) or a failed
 * attempt, each with its audit event, in PostgreSQL. Deliveries that land while a write is under
 * way are written together in the next transaction, so the audit log's head is taken once per
 * batch rather than once per directive.
 */
@Injectable()
export class DeliveryRecorder {
  private readonly deliveries: Batcher<Delivery, boolean>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EnforcementStore,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.deliveries = new Batcher((batch) => this.writeDelivered(batch));
  }

  /** Delivered once: the first caller wins (true), a replay changes nothing (false). */
  recordDelivered(directiveId: string, at: Date, via: 'push' | 'pull'): Promise<boolean> {
    return this.deliveries.add({ directiveId, at, via });
  }

  private async writeDelivered(batch: Delivery[]): Promise<boolean[]> {
    const written = await this.dataSource.transaction(async (em) => {
      const rows = await this.store.markDelivered(
        em,
        batch.map((b) => ({ id: b.directiveId, at: b.at })),
      );
      const via = new Map(batch.map((b) => [b.directiveId, b.via]));
      await this.audit.recordMany(
        em,
        rows.map((r) => ({
          type: 'directive.delivered' as const,
          actor: 'system:worker' as const,
          orderId: r.orderId,
          platformId: r.platformId,
          data: { directiveId: r.id, directiveType: r.type, via: via.get(r.id), slaDeadline: r.slaDeadline?.toISOString() ?? null },
        })),
      );
      return new Set(rows.map((r) => r.id));
    });
    // The same directive twice in one batch: only the first is the delivery.
    const seen = new Set<string>();
    return batch.map((b) => {
      const first = written.has(b.directiveId) && !seen.has(b.directiveId);
      seen.add(b.directiveId);
      return first;
    });
  }

  /** A failed attempt: counted with its next time (backoff), or final after too many or too long. */
  async recordFailure(
    d: DirectiveToSend,
    at: Date,
    result: Extract<DeliveryResult, { kind: 'retry' | 'failed' }>,
  ): Promise<DeliveryOutcome> {
    const attempt = d.attempts + 1;
    const { maxAttempts, giveUpMs, backoffBaseMs, backoffMaxMs } = this.config.delivery;
    const expired = d.queuedAt !== null && at.getTime() - d.queuedAt.getTime() >= giveUpMs;
    const final = result.kind === 'failed' || attempt >= maxAttempts || expired;
    const delayMs = final
      ? 0
      : backoffDelay(attempt, backoffBaseMs, backoffMaxMs, 'retryAfterMs' in result ? result.retryAfterMs : undefined);
    await this.dataSource.transaction(async (em) => {
      const counted = await this.store.recordFailedAttempt(em, d, {
        number: attempt,
        reason: result.reason,
        nextAttemptAt: final ? null : new Date(at.getTime() + delayMs),
        final,
        at,
      });
      if (!counted) return;
      await this.audit.record(em, {
        type: 'directive.delivery_failed',
        actor: 'system:worker',
        orderId: d.orderId,
        platformId: d.platformId,
        data: {
          directiveId: d.id,
          attempt,
          reasonClass: result.reason,
          ...(result.status ? { httpStatus: result.status } : {}),
          final,
          ...(final ? {} : { retryInMs: delayMs }),
        },
      });
    });
    return final ? { kind: 'failed' } : { kind: 'retry', delayMs, attempted: true };
  }
}
