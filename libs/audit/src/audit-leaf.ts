import type { AuditEventsRow } from '@ostracon/database';
import type { AuditEvent } from '@ostracon/platform-sdk/transparency';

/** One event as the API, the export and the leaf hash see it (the leaf is this without `leafHash`). */
export type AuditEventView = AuditEvent;

/** An event as `audit_events` holds it, every column: what the tree, the API and audit:verify read. */
export type AuditEventRow = Pick<AuditEventsRow, 'seq' | 'at' | 'type' | 'actor' | 'order_id' | 'platform_id' | 'data'>;

export function eventView(row: AuditEventRow): AuditEventView {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    type: row.type,
    actor: row.actor,
    ...(row.order_id ? { orderId: row.order_id } : {}),
    ...(row.platform_id ? { platform: row.platform_id } : {}),
    // An object: AuditService writes one for every event (`{}` without data), and so does the column's default.
    data: row.data as Record<string, unknown>,
  };
}

/** SHA-256(0x00 ‖ RFC 8785 canonical JSON of the event); the event's leaf index is seq − 1. The SDK's, so auditors run this very code. */
export { eventLeafHash } from '@ostracon/platform-sdk/transparency';
