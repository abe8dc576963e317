import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { type AuthenticatedClient, actorOf, decodeCursor, encodeCursor } from '@ostracon/common';
import { queryRows } from '@ostracon/database';
import { orderRelations } from '@ostracon/orders';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AttemptPage, AttemptsQuery, AttemptView, UnreadAttempts } from './attempts.schemas';

const cursorSchema = z.tuple([z.uuid()]);

interface AttemptRow {
  id: string;
  order_id: string;
  platform_id: string;
  platform_name: string;
  decision: 'block' | 'review';
  signal_types: string[];
  matched_at: Date;
  outcome: AttemptView['outcome'];
  reviewed_at: Date | null;
  read: boolean;
}

/**
 * The authority's inbox (docs/attempts.md): the matches on its organisation's orders, newest
 * first (match ids are UUIDv7, ordered by time), read or not for that organisation. Auditors read
 * every organisation's, with the order's organisation's read marks. Each page is an audited read.
 */
@Injectable()
export class AttemptsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(client: AuthenticatedClient, query: AttemptsQuery): Promise<AttemptPage> {
    const after = query.after ? decodeCursor(query.after, cursorSchema)[0] : null;
    const organisation = client.role === 'auditor' ? null : client.organisationId;
    const rows = await queryRows<AttemptRow>(
      this.dataSource,
      `SELECT m.id, m.order_id, m.platform_id, p.name AS platform_name, m.decision, m.signal_types, m.matched_at,
              m.outcome, m.reviewed_at, (r.match_id IS NOT NULL) AS read
       FROM signup_matches m
       JOIN ${orderRelations.issuers} o ON o.id = m.order_id
       JOIN platforms p ON p.id = m.platform_id
       LEFT JOIN attempt_reads r ON r.match_id = m.id AND r.organisation_id = o.organisation_id
       WHERE ($1::uuid IS NULL OR o.organisation_id = $1)
         AND ($2::uuid IS NULL OR m.id < $2)
         AND ($3::uuid IS NULL OR m.order_id = $3)
         AND ($4::boolean IS NULL OR (r.match_id IS NOT NULL) = $4)
       ORDER BY m.id DESC
       LIMIT $5`,
      [organisation, after, query.order ?? null, query.unread === undefined ? null : !query.unread, query.limit + 1],
    );
    const items = rows.slice(0, query.limit).map((r): AttemptView => ({
      matchId: r.id,
      orderId: r.order_id,
      platform: r.platform_id,
      platformName: r.platform_name,
      decision: r.decision,
      signalTypes: r.signal_types,
      matchedAt: r.matched_at.toISOString(),
      outcome: r.outcome,
      reviewedAt: r.reviewed_at ? r.reviewed_at.toISOString() : null,
      read: r.read,
    }));
    await this.dataSource.transaction((em) =>
      this.audit.record(em, {
        type: 'attempt.listed',
        actor: actorOf(client),
        ...(query.order ? { orderId: query.order } : {}),
        data: { count: items.length, ...(query.unread === undefined ? {} : { unread: query.unread }) },
      }),
    );
    return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.matchId]) : null };
  }

  /** Counts only (no event): the console asks on every orders page. */
  async unread(client: AuthenticatedClient): Promise<UnreadAttempts> {
    const rows = await queryRows<{ order_id: string; unread: number }>(
      this.dataSource,
      `SELECT m.order_id, count(*)::int AS unread
       FROM signup_matches m
       JOIN ${orderRelations.issuers} o ON o.id = m.order_id
       WHERE o.organisation_id = $1
         AND NOT EXISTS (SELECT 1 FROM attempt_reads r WHERE r.organisation_id = $1 AND r.match_id = m.id)
       GROUP BY m.order_id
       ORDER BY m.order_id`,
      [client.organisationId],
    );
    return {
      total: rows.reduce((n, r) => n + r.unread, 0),
      orders: rows.map((r) => ({ orderId: r.order_id, unread: r.unread })),
    };
  }
}
