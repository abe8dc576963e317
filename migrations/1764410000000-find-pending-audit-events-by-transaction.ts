import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The commit trigger of audit_pending found its transaction's events by reading the whole
 * table, twice per commit. Every moved event leaves a dead row until autovacuum comes (once a
 * minute at best), so under a steady stream of appends the table grew to hundreds of pages and
 * each commit scanned them: appends slowed down the longer they lasted (bench/audit.bench.ts,
 * 2,600 events/s falling to 1,500 over 20 s). Each pending row now carries its transaction id,
 * indexed, and the trigger reads only its own rows.
 */
export class FindPendingAuditEventsByTransaction1764410000000 implements MigrationInterface {
  name = 'FindPendingAuditEventsByTransaction1764410000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows only live inside their own transaction: at migration time the table is empty.
    await q.query(`ALTER TABLE audit_pending ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX audit_pending_xact ON audit_pending (xact)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_pending_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        current_xact xid8 := pg_current_xact_id();
      BEGIN
        -- The first firing in a transaction moves all of its pending events; the others find none.
        IF NOT EXISTS (SELECT 1 FROM audit_pending WHERE xact = current_xact) THEN
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
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_pending_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
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
    await q.query(`DROP INDEX audit_pending_xact`);
    await q.query(`ALTER TABLE audit_pending DROP COLUMN xact`);
  }
}
