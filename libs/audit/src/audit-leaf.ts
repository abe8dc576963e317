import type { AuditEvent } from '@ostracon/platform-sdk/transparency';

/** One event as the API, the export and the leaf hash see it (the leaf is this without `leafHash`). */
export type AuditEventView = AuditEvent;

export interface AuditEventRow {
  seq: string | number;
  at: Date;
  type: string;
  actor: string;
  order_id: string | null;
  platform_id: string | null;
  data: Record<string, unknown>;
}

export function eventView(row: AuditEventRow): AuditEventView {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    type: row.type,
    actor: row.actor,
    ...(row.order_id ? { orderId: row.order_id } : {}),
    ...(row.platform_id ? { platform: row.platform_id } : {}),
    data: row.data,
  };
}

/** SHA-256(0x00 ‖ RFC 8785 canonical JSON of the event); the event's leaf index is seq − 1. The SDK's, so auditors run this very code. */
export { eventLeafHash } from '@ostracon/platform-sdk/transparency';
