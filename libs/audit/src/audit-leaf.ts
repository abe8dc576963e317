import canonicalize from 'canonicalize';
import { type Hash, leafHash } from './merkle';

/** One event as the API, the export and the leaf hash see it (the leaf is this without `leafHash`). */
export interface AuditEventView {
  seq: number;
  at: string;
  type: string;
  actor: string;
  orderId?: string;
  platform?: string;
  data: Record<string, unknown>;
}

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

/** SHA-256(0x00 ‖ RFC 8785 canonical JSON of the event). The event's leaf index is seq − 1. */
export function eventLeafHash(view: AuditEventView): Hash {
  return leafHash(Buffer.from(canonicalize(view)!, 'utf8'));
}
