import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay's ordering rule (libs/enforcement notWaitingSql: a lift waits for its suspend, a
 * resumed suspend for the lift before it) and the delivered record's wake-up look for the
 * directives of an order and platform still `pending` or `queued`. No index led with the order
 * (the unique one covers the order's own directives only, not a linked account's), so PostgreSQL
 * took idx_directives_platform_status and read every directive in flight for the platform, once
 * per directive claimed: quadratic in a platform's backlog. Before the tables' first ANALYZE it
 * cost 7.3 s to claim 500 of 3,000 waiting directives (30 ms with this index), and the relay, not
 * delivery, set the pace (docs/performance.md § Issue 31 §5). Only directives in flight are in
 * it, so it stays as small as the backlog.
 */
export class IndexDirectivesInFlightByOrder1764524000000 implements MigrationInterface {
  name = 'IndexDirectivesInFlightByOrder1764524000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_directives_in_flight ON directives (order_id, platform_id) WHERE status IN ('pending', 'queued')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_directives_in_flight`);
  }
}
