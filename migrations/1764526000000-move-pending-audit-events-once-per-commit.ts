import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The commit trigger of audit_pending fires once per pending event (a constraint trigger is a row
 * trigger). The first firing moves every pending event of the transaction; each later one asked
 * whether any was left by reading the transaction's entries of audit_pending_xact, which all point
 * at rows this same transaction has just deleted: no entry can be skipped until it commits, so each
 * firing visited every one of them. N events cost N² row visits, all of them after the first firing
 * took the audit_log_head row lock, so every other writer's commit waited behind them (500 events:
 * 53–65 ms a commit; a delivery's batch of about 20 events: 0.11 ms a firing, 1.0 s in a 3,000
 * directive drain, docs/performance.md § Issue 31 §5). A firing now looks up its own row by primary
 * key: gone, an earlier firing of this transaction moved it; there, it moves every pending event of
 * the transaction, as before (also right when SET CONSTRAINTS makes the trigger fire mid-transaction
 * and more events follow).
 */
export class MovePendingAuditEventsOncePerCommit1764526000000 implements MigrationInterface {
  name = 'MovePendingAuditEventsOncePerCommit1764526000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(commitFunction(`IF NOT EXISTS (SELECT 1 FROM audit_pending WHERE id = NEW.id) THEN`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(commitFunction(`IF NOT EXISTS (SELECT 1 FROM audit_pending WHERE xact = current_xact) THEN`));
  }
}

/** The trigger function of migration 1764410000000, with `moved` the test that its work is done. */
function commitFunction(moved: string): string {
  return `
    CREATE OR REPLACE FUNCTION audit_pending_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      current_xact xid8 := pg_current_xact_id();
    BEGIN
      -- The first firing in a transaction moves all of its pending events; the others find theirs gone.
      ${moved}
        RETURN NULL;
      END IF;
      WITH moved AS (
        DELETE FROM audit_pending WHERE xact = current_xact RETURNING id, type, actor, order_id, platform_id, data
      ), head AS (
        UPDATE audit_log_head SET size = size + (SELECT count(*) FROM moved) RETURNING size - (SELECT count(*) FROM moved) AS base
      )
      INSERT INTO audit_events (seq, at, type, actor, order_id, platform_id, data)
      SELECT head.base + row_number() OVER (ORDER BY moved.id), now(), moved.type, moved.actor, moved.order_id, moved.platform_id, moved.data
      FROM head, moved;
      RETURN NULL;
    END $$`;
}
