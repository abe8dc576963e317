import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { queryRows } from '@ostracon/database';
import type { DataSource } from 'typeorm';

/** A mail due, claimed by one sender for the lease. */
export interface DueMail {
  id: string;
  personId: string;
  matchId: string;
  email: string;
  attempts: number;
}

/** A mail kept in PostgreSQL (development without SMTP_URL), for /dev/mails. */
export interface KeptMail {
  id: string;
  email: string;
  matchId: string;
  sentAt: Date;
}

/**
 * How long a claimed mail is held by its sender before another may take it (a sender that died):
 * longer than a batch can take (mail-sender.ts bounds each mail's SMTP exchange).
 */
const LEASE_MS = 10 * 60_000;
/** How far back the planner looks for attempts: a worker down for longer than this owes no old mails. */
const PLAN_WINDOW_MS = 2 * 86_400_000;

/**
 * The one writer of `mail_outbox`: one row per mail owed (a person, an attempt), so that nothing
 * is lost when the worker or the SMTP server is down, and nothing is sent twice: planning inserts
 * at most one row per person and attempt (`uq_mail_outbox_person_match`), a sender claims rows
 * with `FOR UPDATE SKIP LOCKED` and a lease, and marks each sent. A crash between the SMTP server's
 * acceptance and the mark re-sends that one mail after the lease: the only duplicate possible.
 */
@Injectable()
export class MailOutboxStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Queues a mail per opted-in person of the order's organisation for each attempt since they
   * opted in. Reads `signup_matches`, `ban_orders` and `people` (their writers are elsewhere).
   */
  async planAttemptMails(now: Date): Promise<number> {
    const rows = await this.dataSource.query(
      `INSERT INTO mail_outbox (id, person_id, match_id, queued_at, next_attempt_at)
       SELECT gen_random_uuid(), p.id, m.id, $1, $1
       FROM signup_matches m
       JOIN ban_orders o ON o.id = m.order_id
       JOIN people p ON p.organisation_id = o.organisation_id
       WHERE m.matched_at >= $2
         AND p.removed_at IS NULL AND p.role = 'authority'
         AND p.attempt_mails_since IS NOT NULL AND m.matched_at >= p.attempt_mails_since
       ON CONFLICT ON CONSTRAINT uq_mail_outbox_person_match DO NOTHING
       RETURNING id`,
      [now, new Date(now.getTime() - PLAN_WINDOW_MS)],
    );
    return (rows as unknown[]).length;
  }

  /**
   * Claims up to `limit` mails due, for LEASE_MS. Mails of people removed or no longer asking are
   * left, and chosen out before the limit: were they counted in it, a batch's worth of them would
   * hold the head of the queue and no mail would go again.
   */
  async claimDue(now: Date, limit: number): Promise<DueMail[]> {
    const rows = await queryRows<{ id: string; person_id: string; match_id: string; email: string; attempts: number }>(
      this.dataSource,
      `UPDATE mail_outbox b SET lease_until = $2
       FROM people p
       WHERE b.id IN (
           SELECT x.id FROM mail_outbox x JOIN people q ON q.id = x.person_id
           WHERE x.sent_at IS NULL AND x.next_attempt_at <= $1 AND (x.lease_until IS NULL OR x.lease_until <= $1)
             AND q.removed_at IS NULL AND q.attempt_mails_since IS NOT NULL
           ORDER BY x.next_attempt_at
           LIMIT $3
           FOR UPDATE OF x SKIP LOCKED)
         AND p.id = b.person_id
       RETURNING b.id, b.person_id, b.match_id, p.email, b.attempts`,
      [now, new Date(now.getTime() + LEASE_MS), limit],
    );
    return rows.map((r) => ({ id: r.id, personId: r.person_id, matchId: r.match_id, email: r.email, attempts: r.attempts }));
  }

  /** A mail accepted by the SMTP server (or kept, in development), and its event. */
  async markSent(mail: DueMail, transport: 'smtp' | 'kept', at: Date): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const rows = await queryRows<{ id: string }>(
        em,
        `UPDATE mail_outbox SET sent_at = $2, transport = $3, lease_until = NULL, attempts = attempts + 1
         WHERE id = $1 AND sent_at IS NULL RETURNING id`,
        [mail.id, at, transport],
      );
      if (rows.length === 0) return;
      // Ids only: neither the address nor anything of the order.
      await this.audit.record(em, {
        type: 'attempt.mailed',
        actor: 'system:mail-sender',
        data: { matchId: mail.matchId, personId: mail.personId, transport },
      });
    });
  }

  /** A refused or failed sending: tried again at `retryAt`. The error is the SMTP server's, with no address. */
  async markFailed(mail: DueMail, error: string, retryAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, lease_until = NULL
       WHERE id = $1 AND sent_at IS NULL`,
      [mail.id, error.slice(0, 500), retryAt],
    );
  }

  /** The mails kept in PostgreSQL, newest first (the development page). */
  async kept(limit = 100): Promise<KeptMail[]> {
    const rows = await queryRows<{ id: string; email: string; match_id: string; sent_at: Date }>(
      this.dataSource,
      `SELECT b.id, p.email, b.match_id, b.sent_at FROM mail_outbox b JOIN people p ON p.id = b.person_id
       WHERE b.transport = 'kept' ORDER BY b.sent_at DESC, b.id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, email: r.email, matchId: r.match_id, sentAt: r.sent_at }));
  }
}
