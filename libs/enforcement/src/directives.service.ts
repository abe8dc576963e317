import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import type { AuthenticatedClient } from '@ostracon/auth';
import { CLOCK, type Clock, DomainError, type Page, decodeCursor, encodeCursor } from '@ostracon/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { DirectivePayload } from './adapters/platform-adapter';
import { DeliveryService } from './delivery.service';
import type { AckDirectiveInput, AckResult, ListDirectivesQuery } from './directives.schemas';
import { EnforcementErrors } from './enforcement.errors';

const cursorSchema = z.tuple([z.uuid()]);

interface PullRow {
  id: string;
  order_id: string;
  platform_id: string;
  type: 'suspend' | 'lift';
  status: string;
  effective_from: Date;
  effective_until: Date;
  sla_deadline: Date | null;
  sla_hours: number;
  accounts_enc: Buffer | null;
  accounts_key_id: string | null;
}

/** The platform side: pull its own directives, acknowledge them. */
@Injectable()
export class DirectivesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly delivery: DeliveryService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * GET /v1/directives: `pending` = relayed and not yet acknowledged, oldest first. Reading a
   * directive is its delivery in pull mode: the SLA clock starts at the first read.
   */
  async list(client: AuthenticatedClient, query: ListDirectivesQuery): Promise<Page<DirectivePayload>> {
    const platformId = client.platformId!;
    const statuses = query.status === 'pending' ? ['queued', 'delivered'] : ['acknowledged'];
    const after = query.after ? decodeCursor(query.after, cursorSchema)[0] : '00000000-0000-0000-0000-000000000000';
    const select = () =>
      this.dataSource.query(
        `SELECT d.id, d.order_id, d.platform_id, d.type, d.status, d.effective_from, d.effective_until, d.sla_deadline,
                p.sla_hours, op.accounts_enc, op.accounts_key_id
         FROM directives d
         JOIN platforms p ON p.id = d.platform_id
         JOIN order_platforms op ON op.order_id = d.order_id AND op.platform_id = d.platform_id
         WHERE d.platform_id = $1 AND d.status = ANY($2::text[]) AND d.id > $3
         ORDER BY d.id LIMIT $4`,
        [platformId, statuses, after, query.limit + 1],
      ) as Promise<PullRow[]>;
    let rows = await select();
    const now = this.clock.now();
    const fresh = rows.filter((r) => r.status === 'queued');
    if (fresh.length > 0) {
      for (const r of fresh) await this.delivery.recordDelivered(r.id, now, 'pull');
      rows = await select();
    }
    const items = rows.slice(0, query.limit);
    return {
      items: items.map((r) => ({ ...this.delivery.payload(r, now), slaDeadline: (r.sla_deadline ?? now).toISOString() })),
      nextCursor: rows.length > query.limit ? encodeCursor([items[items.length - 1]!.id]) : null,
    };
  }

  /** POST /v1/directives/{id}/ack, by the platform it was sent to. Repeating the same ack is harmless. */
  async ack(client: AuthenticatedClient, id: string, input: AckDirectiveInput): Promise<AckResult> {
    const notFound = () => new DomainError(EnforcementErrors.directiveNotFound, 'No directive with this id for this platform');
    if (!z.uuid().safeParse(id).success) throw notFound();
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const rows: {
        id: string;
        order_id: string;
        platform_id: string;
        type: 'suspend' | 'lift';
        status: string;
        outcome: string | null;
        acknowledged_at: Date | null;
        sla_deadline: Date | null;
        sla_hours: number;
      }[] = await em.query(
        `SELECT d.id, d.order_id, d.platform_id, d.type, d.status, d.outcome, d.acknowledged_at, d.sla_deadline, p.sla_hours
         FROM directives d JOIN platforms p ON p.id = d.platform_id
         WHERE d.id = $1 AND d.platform_id = $2 FOR UPDATE OF d`,
        [id, client.platformId],
      );
      const d = rows[0];
      if (!d) throw notFound();
      const result = (acknowledgedAt: Date, slaDeadline: Date): AckResult => ({
        id: d.id,
        type: d.type,
        status: 'acknowledged',
        outcome: input.outcome,
        acknowledgedAt: acknowledgedAt.toISOString(),
        slaDeadline: slaDeadline.toISOString(),
        slaMet: acknowledgedAt.getTime() <= slaDeadline.getTime(),
      });
      if (d.status === 'acknowledged') {
        if (d.outcome === input.outcome) return result(d.acknowledged_at!, d.sla_deadline!);
        throw new DomainError(EnforcementErrors.notAcknowledgeable, `Already acknowledged as ${d.outcome}`);
      }
      if (d.status !== 'queued' && d.status !== 'delivered') {
        throw new DomainError(EnforcementErrors.notAcknowledgeable, `The directive is ${d.status}`);
      }
      // An ack can beat our record of the 2xx: it proves delivery, so the SLA runs from now.
      const slaDeadline = d.sla_deadline ?? new Date(now.getTime() + d.sla_hours * 3600_000);
      await em.query(
        `UPDATE directives SET status = 'acknowledged', acknowledged_at = $2, outcome = $3, note = $4,
           delivered_at = COALESCE(delivered_at, $2), sla_deadline = $5
         WHERE id = $1`,
        [id, now, input.outcome, input.note ?? null, slaDeadline],
      );
      if (d.type === 'suspend') {
        await em.query(
          `UPDATE order_platforms SET status = $3, outcome = $4, enforced_at = CASE WHEN $3 = 'enforced' THEN $5::timestamptz END,
             acknowledged_at = $5,
             delivered_at = COALESCE(delivered_at, $5), sla_deadline = COALESCE(sla_deadline, $6)
           WHERE order_id = $1 AND platform_id = $2 AND status IN ('pending', 'delivered')`,
          [d.order_id, d.platform_id, input.outcome === 'enforced' ? 'enforced' : 'failed', input.outcome, now, slaDeadline],
        );
      } else {
        await em.query(`UPDATE order_platforms SET status = 'lifted', lifted_at = $3 WHERE order_id = $1 AND platform_id = $2`, [
          d.order_id,
          d.platform_id,
          now,
        ]);
      }
      const answer = result(now, slaDeadline);
      await this.audit.record(em, {
        type: 'directive.acknowledged',
        actor: `client:${client.id}`,
        orderId: d.order_id,
        platformId: d.platform_id,
        data: { directiveId: id, directiveType: d.type, outcome: input.outcome, slaMet: answer.slaMet },
      });
      return answer;
    });
  }
}
