import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The console finds an order by the start of its court reference, whatever its case
 * (`GET /v1/orders?courtReference=`: `lower(court_reference) LIKE lower($prefix) || '%'`), and warns
 * when a reference is registered twice in one organisation (`lower(court_reference) = lower($ref)`,
 * as the log's court-reference filter also asks: OrderStore.idsWithCourtReference).
 * Both within an organisation: the index leads with it. `text_pattern_ops` lets a LIKE with a fixed
 * prefix use the B-tree whatever the database's collation. It replaces the exact, case-sensitive one.
 */
export class SearchOrdersByReferencePrefix1764500000000 implements MigrationInterface {
  name = 'SearchOrdersByReferencePrefix1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX idx_ban_orders_organisation_reference ON ban_orders (organisation_id, lower(court_reference) text_pattern_ops)`,
    );
    await q.query(`CREATE INDEX idx_ban_orders_reference_prefix ON ban_orders (lower(court_reference) text_pattern_ops)`);
    await q.query(`DROP INDEX idx_ban_orders_court_reference`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_ban_orders_court_reference ON ban_orders (court_reference)`);
    await q.query(`DROP INDEX idx_ban_orders_reference_prefix`);
    await q.query(`DROP INDEX idx_ban_orders_organisation_reference`);
  }
}
