import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Appeals and relèvement (docs/legal.md § Appeals and relèvement, decision 0027).
 *
 * - `ban_orders.suspended_at`: set while an appeal against the sentence is pending (art. 506 CPP):
 *   the order neither matches nor activates nor expires. The appeal itself (`appeal_*`) and its
 *   outcome stay on the row.
 * - `ban_orders.revoked_at` stays the instant an order ended before its term, whichever way;
 *   `ended_by` says which: a revocation, a relèvement (art. 702-1 CPP, `relief_*`) or an appeal
 *   that quashed the sentence. Every reader of "not ended" (the sign-up index, the private sets,
 *   the lifecycle, the purge) keeps its one condition.
 * - `directives.round`: a suspended order that resumes sends its platforms a new suspend, and later
 *   a new lift; one suspend and one lift per (order, platform, round).
 * - `directives.sla_stopped_at`: a suspend delivered but not yet answered when the order was
 *   suspended: its SLA clock stopped (its deadline cleared), it is not counted as late.
 */
export class AppealsAndEarlyEnds1764523000000 implements MigrationInterface {
  name = 'AppealsAndEarlyEnds1764523000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ban_orders
        ADD COLUMN ended_by text CONSTRAINT ck_ban_orders_ended_by CHECK (ended_by IN ('revocation', 'relief', 'appeal_quashed')),
        ADD COLUMN suspended_at timestamptz,
        ADD COLUMN appealed_at timestamptz,
        ADD COLUMN appeal_lodged_on date,
        ADD COLUMN appeal_reference text,
        ADD COLUMN appeal_decided_at timestamptz,
        ADD COLUMN appeal_decided_on date,
        ADD COLUMN appeal_outcome text CONSTRAINT ck_ban_orders_appeal_outcome CHECK (appeal_outcome IN ('confirmed', 'quashed')),
        ADD COLUMN appeal_decision_reference text,
        ADD COLUMN relief_decided_on date,
        ADD COLUMN relief_decision_reference text`);
    await q.query(`UPDATE ban_orders SET ended_by = 'revocation' WHERE revoked_at IS NOT NULL`);
    // A revocation's reason goes with a revocation, not with every early end.
    await q.query(`
      ALTER TABLE ban_orders
        DROP CONSTRAINT ck_ban_orders_revocation,
        ADD CONSTRAINT ck_ban_orders_revocation CHECK ((ended_by IS NOT DISTINCT FROM 'revocation') = (revocation_reason IS NOT NULL))`);
    await q.query(`
      ALTER TABLE ban_orders
        ADD CONSTRAINT ck_ban_orders_ended CHECK ((revoked_at IS NULL) = (ended_by IS NULL)),
        ADD CONSTRAINT ck_ban_orders_suspended CHECK (suspended_at IS NULL OR (appealed_at IS NOT NULL AND appeal_decided_at IS NULL AND revoked_at IS NULL)),
        ADD CONSTRAINT ck_ban_orders_appeal CHECK ((appealed_at IS NULL) = (appeal_lodged_on IS NULL) AND (appealed_at IS NULL) = (appeal_reference IS NULL)),
        ADD CONSTRAINT ck_ban_orders_appeal_decided CHECK (
          (appeal_decided_at IS NULL) = (appeal_outcome IS NULL) AND (appeal_decided_at IS NULL) = (appeal_decided_on IS NULL)
          AND (appeal_decided_at IS NULL OR appealed_at IS NOT NULL)),
        ADD CONSTRAINT ck_ban_orders_relief CHECK ((ended_by = 'relief') = (relief_decision_reference IS NOT NULL AND relief_decided_on IS NOT NULL))`);

    // The sign-up indexes re-read an order whose window or suspension changed, as they do a revoked one.
    await q.query(`DROP TRIGGER ban_orders_notify_update ON ban_orders`);
    await q.query(`
      CREATE TRIGGER ban_orders_notify_update AFTER UPDATE OF revoked_at, purged_at, suspended_at, starts_at, ends_at ON ban_orders
      FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.purged_at IS DISTINCT FROM NEW.purged_at
        OR OLD.suspended_at IS DISTINCT FROM NEW.suspended_at OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
        OR OLD.ends_at IS DISTINCT FROM NEW.ends_at)
      EXECUTE FUNCTION ban_orders_notify()`);

    await q.query(`ALTER TABLE directives ADD COLUMN round smallint NOT NULL DEFAULT 0, ADD COLUMN sla_stopped_at timestamptz`);
    // One directive of a type per platform and round: the order's own (its platform's), and a linked
    // account's (its report's), as migration 1764522000000 made them two partial unique indexes.
    await q.query(`DROP INDEX uq_directives_order_platform_type`);
    await q.query(`DROP INDEX uq_directives_linked_report_type`);
    await q.query(
      `CREATE UNIQUE INDEX uq_directives_order_platform_type_round ON directives (order_id, platform_id, type, round) WHERE linked_report_id IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_directives_linked_report_type_round ON directives (linked_report_id, type, round) WHERE linked_report_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM outbox WHERE directive_id IN (SELECT id FROM directives WHERE round > 0)`);
    await q.query(`DELETE FROM directives WHERE round > 0`);
    await q.query(`DROP INDEX uq_directives_order_platform_type_round`);
    await q.query(`DROP INDEX uq_directives_linked_report_type_round`);
    await q.query(
      `CREATE UNIQUE INDEX uq_directives_order_platform_type ON directives (order_id, platform_id, type) WHERE linked_report_id IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_directives_linked_report_type ON directives (linked_report_id, type) WHERE linked_report_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE directives DROP COLUMN round, DROP COLUMN sla_stopped_at`);
    await q.query(`DROP TRIGGER ban_orders_notify_update ON ban_orders`);
    await q.query(`
      CREATE TRIGGER ban_orders_notify_update AFTER UPDATE OF revoked_at, purged_at ON ban_orders
      FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.purged_at IS DISTINCT FROM NEW.purged_at)
      EXECUTE FUNCTION ban_orders_notify()`);
    await q.query(`UPDATE ban_orders SET revocation_reason = ended_by WHERE ended_by IN ('relief', 'appeal_quashed')`);
    await q.query(`
      ALTER TABLE ban_orders
        DROP CONSTRAINT ck_ban_orders_revocation,
        ADD CONSTRAINT ck_ban_orders_revocation CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))`);
    await q.query(`
      ALTER TABLE ban_orders
        DROP COLUMN ended_by, DROP COLUMN suspended_at, DROP COLUMN appealed_at, DROP COLUMN appeal_lodged_on,
        DROP COLUMN appeal_reference, DROP COLUMN appeal_decided_at, DROP COLUMN appeal_decided_on, DROP COLUMN appeal_outcome,
        DROP COLUMN appeal_decision_reference, DROP COLUMN relief_decided_on, DROP COLUMN relief_decision_reference`);
  }
}
