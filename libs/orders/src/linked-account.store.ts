import { Injectable } from '@nestjs/common';
import { type LinkedAccountReportsRow, queryRows } from '@ostracon/database';
import type { EntityManager } from 'typeorm';

/** A report as the store hands it over: camelCase, its ciphertexts still sealed. */
export interface LinkedAccountReport {
  id: string;
  orderId: string;
  platformId: string;
  accountEnc: Buffer | null;
  accountKeyId: string | null;
  signalsEnc: Buffer | null;
  signalsKeyId: string | null;
  signalTypes: string[];
  status: LinkedAccountReportsRow['status'];
  reportedAt: Date;
  decidedAt: Date | null;
}

type ReportRow = Pick<
  LinkedAccountReportsRow,
  | 'id'
  | 'order_id'
  | 'platform_id'
  | 'account_enc'
  | 'account_key_id'
  | 'signals_enc'
  | 'signals_key_id'
  | 'signal_types'
  | 'status'
  | 'reported_at'
  | 'decided_at'
>;

const COLUMNS = `id, order_id, platform_id, account_enc, account_key_id, signals_enc, signals_key_id, signal_types, status, reported_at, decided_at`;

const reportOf = (r: ReportRow): LinkedAccountReport => ({
  id: r.id,
  orderId: r.order_id,
  platformId: r.platform_id,
  accountEnc: r.account_enc,
  accountKeyId: r.account_key_id,
  signalsEnc: r.signals_enc,
  signalsKeyId: r.signals_key_id,
  signalTypes: r.signal_types,
  status: r.status,
  reportedAt: r.reported_at,
  decidedAt: r.decided_at,
});

/**
 * The one writer of `linked_account_reports` (decision 0026): a report, its decision, and what the
 * retention rules take of it. Every method takes the caller's transaction.
 */
@Injectable()
export class LinkedAccountStore {
  /** A new report; false when the platform already reported this account for this order. */
  async insert(
    em: EntityManager,
    report: {
      id: string;
      orderId: string;
      platformId: string;
      reportedBy: string;
      accountDigest: Buffer;
      accountDigestKeyId: string;
      accountEnc: Buffer;
      accountKeyId: string;
      signalsEnc: Buffer;
      signalsKeyId: string;
      signalTypes: string[];
      at: Date;
    },
  ): Promise<boolean> {
    const rows = await queryRows<Pick<LinkedAccountReportsRow, 'id'>>(
      em,
      `INSERT INTO linked_account_reports (id, order_id, platform_id, reported_by, account_digest, account_digest_key_id,
         account_enc, account_key_id, signals_enc, signals_key_id, signal_types, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (order_id, platform_id, account_digest) WHERE account_digest IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        report.id,
        report.orderId,
        report.platformId,
        report.reportedBy,
        report.accountDigest,
        report.accountDigestKeyId,
        report.accountEnc,
        report.accountKeyId,
        report.signalsEnc,
        report.signalsKeyId,
        report.signalTypes,
        report.at,
      ],
    );
    return rows.length === 1;
  }

  /** An order's reports, oldest first; of one platform when given. */
  async ofOrder(runner: Pick<EntityManager, 'query'>, orderId: string, platformId?: string): Promise<LinkedAccountReport[]> {
    const rows = await queryRows<ReportRow>(
      runner,
      `SELECT ${COLUMNS} FROM linked_account_reports WHERE order_id = $1 AND ($2::text IS NULL OR platform_id = $2) ORDER BY id`,
      [orderId, platformId ?? null],
    );
    return rows.map(reportOf);
  }

  /** One report of the order, locked until the caller's transaction ends. */
  async lock(em: EntityManager, orderId: string, id: string): Promise<LinkedAccountReport | undefined> {
    const [row] = await queryRows<ReportRow>(
      em,
      `SELECT ${COLUMNS} FROM linked_account_reports WHERE order_id = $1 AND id = $2 FOR UPDATE`,
      [orderId, id],
    );
    return row && reportOf(row);
  }

  /** reported → accepted: the prehashes' ciphertext goes (they are order_signals now). */
  async accept(em: EntityManager, id: string, at: Date, by: string): Promise<void> {
    await em.query(
      `UPDATE linked_account_reports SET status = 'accepted', decided_at = $2, decided_by = $3, signals_enc = NULL, signals_key_id = NULL
       WHERE id = $1 AND status = 'reported'`,
      [id, at, by],
    );
  }

  /**
   * reported → rejected: nothing identifying is needed any more (RGPD art. 5.1.c and e), so the
   * account id and the prehashes go at once; the row keeps types, dates and the decision until the
   * order's purge.
   */
  async reject(em: EntityManager, id: string, at: Date, by: string): Promise<void> {
    await em.query(
      `UPDATE linked_account_reports SET status = 'rejected', decided_at = $2, decided_by = $3,
         account_enc = NULL, account_key_id = NULL, account_digest = NULL, account_digest_key_id = NULL,
         signals_enc = NULL, signals_key_id = NULL
       WHERE id = $1 AND status = 'reported'`,
      [id, at, by],
    );
  }

  /**
   * The order's retention is over (OrderLifecycle purge): reports never accepted are deleted; an
   * accepted one keeps its row (its directives name it) without its account id. How many each lost.
   */
  async purge(em: EntityManager, orderIds: string[]): Promise<{ deleted: number; forgotten: number }> {
    const deleted = await queryRows<Pick<LinkedAccountReportsRow, 'id'>>(
      em,
      `DELETE FROM linked_account_reports WHERE order_id = ANY($1::uuid[]) AND status <> 'accepted' RETURNING id`,
      [orderIds],
    );
    const forgotten = await queryRows<Pick<LinkedAccountReportsRow, 'id'>>(
      em,
      `UPDATE linked_account_reports SET account_enc = NULL, account_key_id = NULL, account_digest = NULL, account_digest_key_id = NULL,
         signals_enc = NULL, signals_key_id = NULL
       WHERE order_id = ANY($1::uuid[]) AND status = 'accepted' RETURNING id`,
      [orderIds],
    );
    return { deleted: deleted.length, forgotten: forgotten.length };
  }
}
