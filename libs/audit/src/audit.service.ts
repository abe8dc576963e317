import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEventInput, RecordedAuditEvent } from './audit-event';

@Injectable()
export class AuditService {
  /**
   * Appends an event inside the caller's transaction, so the event exists exactly when the
   * change it records does. Taking the next seq locks the log head until that transaction
   * ends: call this last in a transaction, to hold the lock for as short a time as possible.
   */
  async record(manager: EntityManager, event: AuditEventInput): Promise<RecordedAuditEvent> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('audit events are written inside the transaction of the change they record');
    }
    const rows: { seq: string; at: Date }[] = await manager.query(
      `WITH head AS (UPDATE audit_log_head SET size = size + 1 RETURNING size)
       INSERT INTO audit_events (seq, at, type, actor, order_id, platform_id, data)
       SELECT head.size, now(), $1, $2, $3, $4, $5 FROM head
       RETURNING seq, at`,
      [event.type, event.actor, event.orderId ?? null, event.platformId ?? null, JSON.stringify(event.data ?? {})],
    );
    return rows[0]!;
  }

  /** Appends several events in one statement (same rules as `record`). */
  async recordMany(manager: EntityManager, events: AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('audit events are written inside the transaction of the change they record');
    }
    await manager.query(
      `WITH head AS (UPDATE audit_log_head SET size = size + $1 RETURNING size - $1 AS base)
       INSERT INTO audit_events (seq, at, type, actor, order_id, platform_id, data)
       SELECT head.base + e.n, now(), e.type, e.actor, e.order_id, e.platform_id, e.data
       FROM head, ROWS FROM (jsonb_to_recordset($2::jsonb) AS (type text, actor text, order_id uuid, platform_id text, data jsonb))
         WITH ORDINALITY AS e(type, actor, order_id, platform_id, data, n)
       ORDER BY e.n`,
      [
        events.length,
        JSON.stringify(
          events.map((e) => ({
            type: e.type,
            actor: e.actor,
            order_id: e.orderId ?? null,
            platform_id: e.platformId ?? null,
            data: e.data ?? {},
          })),
        ),
      ],
    );
  }
}
