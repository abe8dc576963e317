import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A platform enforcing an order may report other accounts of the person (art. 131-35-1 Code pénal:
 * "mesures strictement nécessaires et proportionnées"); the order's authority accepts or rejects
 * each (decision 0026). An accepted account gets its own suspend and lift on that platform only,
 * and its signals join the order's for sign-up checks on that platform only (`order_signals.platform_id`).
 * The account id and the reported prehashes are sealed (AES-256-GCM); the prehashes only until the
 * decision, the account id until the order's retention ends.
 */
export class ReportLinkedAccounts1764522000000 implements MigrationInterface {
  name = 'ReportLinkedAccounts1764522000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE linked_account_reports (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL CONSTRAINT fk_linked_account_reports_order REFERENCES ban_orders (id),
        platform_id text NOT NULL CONSTRAINT fk_linked_account_reports_platform REFERENCES platforms (id),
        reported_by uuid NOT NULL CONSTRAINT fk_linked_account_reports_client REFERENCES api_clients (id),
        -- HMAC of the account id under the signals' pepper: a second report of the same account is
        -- found without opening any ciphertext. Cleared with the ciphertexts at the order's purge.
        account_digest bytea,
        account_digest_key_id text,
        account_enc bytea,
        account_key_id text,
        -- The reported prehashes, sealed, until the decision (accepted: they become order_signals).
        signals_enc bytea,
        signals_key_id text,
        signal_types text[] NOT NULL,
        status text NOT NULL DEFAULT 'reported' CONSTRAINT ck_linked_account_reports_status
          CHECK (status IN ('reported', 'accepted', 'rejected')),
        reported_at timestamptz NOT NULL,
        decided_at timestamptz,
        decided_by text,
        CONSTRAINT fk_linked_account_reports_order_platform FOREIGN KEY (order_id, platform_id)
          REFERENCES order_platforms (order_id, platform_id)
      )`);
    await q.query(`CREATE INDEX idx_linked_account_reports_order_id ON linked_account_reports (order_id, platform_id)`);
    await q.query(`CREATE INDEX idx_linked_account_reports_platform_id ON linked_account_reports (platform_id)`);
    await q.query(`CREATE INDEX idx_linked_account_reports_reported_by ON linked_account_reports (reported_by)`);
    await q.query(`
      CREATE UNIQUE INDEX uq_linked_account_reports_account ON linked_account_reports (order_id, platform_id, account_digest)
      WHERE account_digest IS NOT NULL`);

    // NULL: the signal applies on every platform of the order; a platform: only there.
    await q.query(`ALTER TABLE order_signals ADD COLUMN platform_id text CONSTRAINT fk_order_signals_platform REFERENCES platforms (id)`);
    await q.query(`CREATE INDEX idx_order_signals_platform_id ON order_signals (platform_id) WHERE platform_id IS NOT NULL`);

    // A linked account's suspend and lift: one of each per report, beside the order's own per platform.
    await q.query(
      `ALTER TABLE directives ADD COLUMN linked_report_id uuid CONSTRAINT fk_directives_linked_report REFERENCES linked_account_reports (id)`,
    );
    await q.query(`ALTER TABLE directives DROP CONSTRAINT uq_directives_order_platform_type`);
    await q.query(
      `CREATE UNIQUE INDEX uq_directives_order_platform_type ON directives (order_id, platform_id, type) WHERE linked_report_id IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_directives_linked_report_type ON directives (linked_report_id, type) WHERE linked_report_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM outbox WHERE directive_id IN (SELECT id FROM directives WHERE linked_report_id IS NOT NULL)`);
    await q.query(`DELETE FROM directives WHERE linked_report_id IS NOT NULL`);
    await q.query(`DROP INDEX uq_directives_linked_report_type`);
    await q.query(`DROP INDEX uq_directives_order_platform_type`);
    await q.query(
      `ALTER TABLE directives ADD CONSTRAINT uq_directives_order_platform_type UNIQUE (order_id, platform_id, type), DROP COLUMN linked_report_id`,
    );
    await q.query(`DELETE FROM order_signals WHERE platform_id IS NOT NULL`);
    await q.query(`ALTER TABLE order_signals DROP COLUMN platform_id`);
    await q.query(`DROP TABLE linked_account_reports`);
  }
}
