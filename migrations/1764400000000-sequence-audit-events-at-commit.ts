import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events get their seq at COMMIT, not when the writer appends them. A writer inserts
 * into audit_pending; a deferred constraint trigger, which runs inside COMMIT, moves every
 * pending event of the transaction into audit_events under the audit_log_head row lock. The
 * sequence stays gapless and in commit order, but the lock is now held only from there to the
 * end of the commit — no longer across the round trips between the writer's last statement and
 * its COMMIT, which is what bounded appends (bench/audit.bench.ts).
 */
export class SequenceAuditEventsAtCommit1764400000000 implements MigrationInterface {
  name = 'SequenceAuditEventsAtCommit1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows live only inside their transaction: unlogged is enough.
    await q.query(`
      CREATE UNLOGGED TABLE audit_pending (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type text NOT NULL,
        actor text NOT NULL,
        order_id uuid,
        platform_id text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`
      CREATE FUNCTION audit_pending_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The first firing in a transaction moves all of its pending events; the others find none.
        IF NOT EXISTS (SELECT 1 FROM audit_pending) THEN
          RETURN NULL;
        END IF;
        WITH moved AS (
          DELETE FROM audit_pending RETURNING id, type, actor, order_id, platform_id, data
        ), head AS (
          UPDATE audit_log_head SET size = size + (SELECT count(*) FROM moved) RETURNING size - (SELECT count(*) FROM moved) AS base
        )
        INSERT INTO audit_events (seq, at, type, actor, order_id, platform_id, data)
        SELECT head.base + row_number() OVER (ORDER BY moved.id), now(), moved.type, moved.actor, moved.order_id, moved.platform_id, moved.data
        FROM head, moved;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER audit_pending_commit AFTER INSERT ON audit_pending
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_pending_commit()`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON audit_pending TO ostracon_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_pending`);
    await q.query(`DROP FUNCTION audit_pending_commit()`);
  }
}
