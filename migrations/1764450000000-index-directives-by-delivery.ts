import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The compliance report (GET /v1/reports/compliance, libs/enforcement compliance-report.ts) reads
 * the suspend directives delivered within a range of months: an index on that instant, so that a
 * year's report does not scan every directive ever sent.
 */
export class IndexDirectivesByDelivery1764450000000 implements MigrationInterface {
  name = 'IndexDirectivesByDelivery1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX idx_directives_delivered_at ON directives (delivered_at) WHERE type = 'suspend' AND delivered_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_directives_delivered_at`);
  }
}
