import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEventInput } from './audit-event';

@Injectable()
export class AuditService {
  /**
   * Appends an event inside the caller's transaction, so the event exists exactly when the
   * change it records does. It takes its seq at COMMIT (migration 1764400000000): the log head
   * is locked only while the transaction commits, wherever in it this is called.
   */
  async record(manager: EntityManager, event: AuditEventInput): Promise<void> {
    await this.recordMany(manager, [event]);
  }

  /** Appends several events in one statement (same rules as `record`). */
  async recordMany(manager: EntityManager, events: AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('audit events are written inside the transaction of the change they record');
    }
    await manager.query(
      `INSERT INTO audit_pending (type, actor, order_id, platform_id, data)
       SELECT e.type, e.actor, e.order_id, e.platform_id, e.data
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (type text, actor text, order_id uuid, platform_id text, data jsonb))
         WITH ORDINALITY AS e(type, actor, order_id, platform_id, data, n)
       ORDER BY e.n`,
      [
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
