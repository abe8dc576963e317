import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock, KeyRingCipher } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { isBrokenCircuitError } from 'cockatiel';
import { CHANNELS, queryRows } from '@ostracon/database';
import type { DataSource } from 'typeorm';
import type { DeliveryResult, DirectivePayload, FailureClass, PlatformAdapter } from './adapters/platform-adapter';
import { WebhookAdapter } from './adapters/webhook/webhook.adapter';
import { backoffDelay } from './backoff';
import { CircuitBreakers } from './circuit-breakers';
import type { DeliverJob } from './queue';

/** What the queue should do with a job after one turn. */
export type DeliveryOutcome =
  | { kind: 'done'; note: string }
  /** Try again after `delayMs`; `attempted` says whether the platform was contacted. */
  | { kind: 'retry'; delayMs: number; attempted: boolean }
  | { kind: 'failed' };

interface DirectiveRow {
  id: string;
  order_id: string;
  platform_id: string;
  type: 'suspend' | 'lift';
  status: string;
  attempts: number;
  queued_at: Date | null;
  effective_from: Date;
  effective_until: Date;
  webhook_url: string | null;
  webhook_secret_enc: Buffer | null;
  webhook_secret_key_id: string | null;
  sla_hours: number;
  accounts_enc: Buffer | null;
  accounts_key_id: string | null;
}

class BreakerTrip extends Error {}

@Injectable()
export class DeliveryService implements OnApplicationShutdown {
  private readonly cipher: KeyRingCipher;
  private readonly breakers: CircuitBreakers;
  private readonly webhook: PlatformAdapter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cipher = new KeyRingCipher(config.accounts.encryptionKeys);
    this.breakers = new CircuitBreakers(config.delivery.breakerFailures, config.delivery.breakerHalfOpenMs);
    this.webhook = new WebhookAdapter(config.delivery.timeoutMs);
  }

  onApplicationShutdown(): void {
    this.webhook.close?.();
  }

  isBreakerOpen(platformId: string): boolean {
    return this.breakers.isOpen(platformId);
  }

  /** One turn of one job: re-read the directive, do nothing if its work is done. */
  async deliver(job: DeliverJob): Promise<DeliveryOutcome> {
    let d = await this.load(job.directiveId);
    // The relay adds jobs just before its transaction commits: a job can be faster than the
    // commit. Look again a few times before putting it back in the queue.
    for (let i = 0; i < 5 && d?.status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10 * (i + 1)));
      d = await this.load(job.directiveId);
    }
    if (!d) return { kind: 'done', note: 'no such directive' };
    // Still not committed (or rolled back: the relay will add it again).
    if (d.status === 'pending') return { kind: 'retry', delayMs: 250, attempted: false };
    return this.attempt(d);
  }

  /** Reads requested together (the queue hands several jobs at once) share one query. */
  private load(directiveId: string): Promise<DirectiveRow | undefined> {
    return new Promise((resolve, reject) => {
      this.pendingLoads.push({ directiveId, resolve, reject });
      if (!this.loading) {
        this.loading = true;
        setImmediate(() => void this.flushLoads());
      }
    });
  }

  private readonly pendingLoads: { directiveId: string; resolve: (row: DirectiveRow | undefined) => void; reject: (e: unknown) => void }[] =
    [];
  private loading = false;

  private async flushLoads(): Promise<void> {
    while (this.pendingLoads.length > 0) {
      const batch = this.pendingLoads.splice(0, 500);
      try {
        const rows: DirectiveRow[] = await this.dataSource.query(
          `SELECT d.id, d.order_id, d.platform_id, d.type, d.status, d.attempts, d.queued_at, d.effective_from, d.effective_until,
                  p.webhook_url, p.webhook_secret_enc, p.webhook_secret_key_id, p.sla_hours, op.accounts_enc, op.accounts_key_id
           FROM directives d
           JOIN platforms p ON p.id = d.platform_id
           JOIN order_platforms op ON op.order_id = d.order_id AND op.platform_id = d.platform_id
           WHERE d.id = ANY($1::uuid[])`,
          [batch.map((b) => b.directiveId)],
        );
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const b of batch) b.resolve(byId.get(b.directiveId));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.loading = false;
  }

  private async attempt(d: DirectiveRow): Promise<DeliveryOutcome> {
    if (d.status !== 'queued') return { kind: 'done', note: `already ${d.status}` };
    if (!d.webhook_url || !d.webhook_secret_enc || !d.webhook_secret_key_id) return { kind: 'done', note: 'pull platform' };
    const at = this.clock.now();
    const payload = this.payload(d, at);
    const target = {
      id: d.platform_id,
      webhookUrl: d.webhook_url,
      webhookSecret: this.cipher
        .open({ keyId: d.webhook_secret_key_id, data: d.webhook_secret_enc }, `platform:${d.platform_id}`)
        .toString('utf8'),
    };
    let result: DeliveryResult;
    try {
      result = await this.breakers.execute(d.platform_id, async () => {
        // The signature's timestamp is checked against the receiver's wall clock, so it is
        // the real time, whatever the service's (injectable) clock says.
        const r = await this.webhook.deliver(target, payload, { webhookId: `msg_${d.id}`, at: new Date() });
        if (r.kind === 'retry') throw new BreakerTrip(JSON.stringify(r));
        return r;
      });
    } catch (error) {
      if (!(error instanceof BreakerTrip)) {
        // Open: wait, no attempt spent. (No check before `execute`: cockatiel moves an open
        // breaker to half-open only inside `execute`, so a pre-check would keep it open for ever.)
        if (isBrokenCircuitError(error)) {
          return { kind: 'retry', delayMs: this.breakers.retryAfterMs + Math.round(Math.random() * 1000), attempted: false };
        }
        throw error;
      }
      result = JSON.parse(error.message) as DeliveryResult;
    }

    if (result.kind === 'delivered') {
      await this.recordDelivered(d.id, at, 'push');
      return { kind: 'done', note: 'delivered' };
    }
    return this.recordFailure(d, at, result);
  }

  /** The directive as the platform receives it, with its accounts opened for this delivery only. */
  payload(
    d: Pick<
      DirectiveRow,
      'id' | 'type' | 'order_id' | 'platform_id' | 'effective_from' | 'effective_until' | 'sla_hours' | 'accounts_enc' | 'accounts_key_id'
    >,
    at: Date,
  ): DirectivePayload {
    const accounts =
      d.accounts_enc && d.accounts_key_id
        ? (JSON.parse(
            this.cipher.open({ keyId: d.accounts_key_id, data: d.accounts_enc }, `${d.order_id}|${d.platform_id}`).toString('utf8'),
          ) as DirectivePayload['accounts'])
        : [];
    return {
      id: d.id,
      type: d.type,
      orderId: d.order_id,
      accounts,
      effectiveFrom: d.effective_from.toISOString(),
      effectiveUntil: d.effective_until.toISOString(),
      slaDeadline: new Date(at.getTime() + d.sla_hours * 3600_000).toISOString(),
    };
  }

  /**
   * Delivered once: the first caller wins, a replay changes nothing. Deliveries that land while
   * a write is under way are written together in the next transaction (group commit), so the
   * audit log's head lock is taken once per batch instead of once per directive.
   */
  recordDelivered(directiveId: string, at: Date, via: 'push' | 'pull'): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pendingDeliveries.push({ directiveId, at, via, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flushDeliveries());
      }
    });
  }

  private readonly pendingDeliveries: {
    directiveId: string;
    at: Date;
    via: 'push' | 'pull';
    resolve: (done: boolean) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private flushing = false;

  private async flushDeliveries(): Promise<void> {
    while (this.pendingDeliveries.length > 0) {
      const batch = this.pendingDeliveries.splice(0, 500);
      try {
        const written = await this.writeDelivered(batch);
        const seen = new Set<string>();
        for (const entry of batch) {
          const first = written.has(entry.directiveId) && !seen.has(entry.directiveId);
          seen.add(entry.directiveId);
          entry.resolve(first);
        }
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }

  private async writeDelivered(batch: { directiveId: string; at: Date; via: 'push' | 'pull' }[]): Promise<Set<string>> {
    return this.dataSource.transaction(async (em) => {
      const rows: { id: string; order_id: string; platform_id: string; type: string; delivered_at: Date; sla_deadline: Date }[] =
        await queryRows(
          em,
          `UPDATE directives d SET status = 'delivered', delivered_at = t.at, sla_deadline = t.at + make_interval(hours => p.sla_hours)
           FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, at), platforms p
           WHERE d.id = t.id AND d.status = 'queued' AND p.id = d.platform_id
           RETURNING d.id, d.order_id, d.platform_id, d.type, d.delivered_at, d.sla_deadline`,
          [batch.map((b) => b.directiveId), batch.map((b) => b.at)],
        );
      if (rows.length === 0) return new Set<string>();
      const suspends = rows.filter((r) => r.type === 'suspend');
      if (suspends.length > 0) {
        await em.query(
          `UPDATE order_platforms op SET status = 'delivered', delivered_at = t.at, sla_deadline = t.sla
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS t(order_id, platform_id, at, sla)
           WHERE op.order_id = t.order_id AND op.platform_id = t.platform_id AND op.status = 'pending'`,
          [
            suspends.map((r) => r.order_id),
            suspends.map((r) => r.platform_id),
            suspends.map((r) => r.delivered_at),
            suspends.map((r) => r.sla_deadline),
          ],
        );
        // A lift may have been waiting for one of these suspends to settle: wake the relay for
        // it (only then, so a busy worker does not send every relay a pass per delivery).
        await em.query(
          `SELECT pg_notify($3, '') WHERE EXISTS (
             SELECT 1 FROM directives l JOIN unnest($1::uuid[], $2::text[]) AS t(order_id, platform_id)
               ON l.order_id = t.order_id AND l.platform_id = t.platform_id
             WHERE l.type = 'lift' AND l.status = 'pending')`,
          [suspends.map((r) => r.order_id), suspends.map((r) => r.platform_id), CHANNELS.outbox],
        );
      }
      const via = new Map(batch.map((b) => [b.directiveId, b.via]));
      await this.audit.recordMany(
        em,
        rows.map((r) => ({
          type: 'directive.delivered' as const,
          actor: 'system:worker' as const,
          orderId: r.order_id,
          platformId: r.platform_id,
          data: { directiveId: r.id, directiveType: r.type, via: via.get(r.id), slaDeadline: r.sla_deadline.toISOString() },
        })),
      );
      return new Set(rows.map((r) => r.id));
    });
  }

  private async recordFailure(
    d: DirectiveRow,
    at: Date,
    result: Extract<DeliveryResult, { kind: 'retry' | 'failed' }>,
  ): Promise<DeliveryOutcome> {
    const attempt = d.attempts + 1;
    const { maxAttempts, giveUpMs, backoffBaseMs, backoffMaxMs } = this.config.delivery;
    const expired = d.queued_at !== null && at.getTime() - d.queued_at.getTime() >= giveUpMs;
    const final = result.kind === 'failed' || attempt >= maxAttempts || expired;
    const delayMs = final
      ? 0
      : backoffDelay(attempt, backoffBaseMs, backoffMaxMs, 'retryAfterMs' in result ? result.retryAfterMs : undefined);
    const reason: FailureClass = result.reason;
    await this.dataSource.transaction(async (em) => {
      const updated: unknown[] = await queryRows(
        em,
        `UPDATE directives SET attempts = $2, last_error = $3, next_attempt_at = $4,
           status = CASE WHEN $5 THEN 'failed' ELSE status END, failed_at = CASE WHEN $5 THEN $6::timestamptz ELSE failed_at END
         WHERE id = $1 AND status = 'queued' RETURNING id`,
        [d.id, attempt, reason, final ? null : new Date(at.getTime() + delayMs), final, at],
      );
      if (updated.length === 0) return;
      if (final && d.type === 'suspend') {
        await em.query(
          `UPDATE order_platforms SET status = 'failed', outcome = 'delivery_failed' WHERE order_id = $1 AND platform_id = $2`,
          [d.order_id, d.platform_id],
        );
      }
      if (final) await em.query(`SELECT pg_notify($1, '')`, [CHANNELS.outbox]);
      await this.audit.record(em, {
        type: 'directive.delivery_failed',
        actor: 'system:worker',
        orderId: d.order_id,
        platformId: d.platform_id,
        data: {
          directiveId: d.id,
          attempt,
          reasonClass: reason,
          ...(result.status ? { httpStatus: result.status } : {}),
          final,
          ...(final ? {} : { retryInMs: delayMs }),
        },
      });
    });
    return final ? { kind: 'failed' } : { kind: 'retry', delayMs, attempted: true };
  }
}
