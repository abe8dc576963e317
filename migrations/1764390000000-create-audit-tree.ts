import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The verifiable log: the Merkle tree over audit_events (RFC 9162) kept as the hashes of its
 * perfect subtrees, and the signed checkpoints. Both append-only like the events. And the
 * application role: it may only read and append the audit tables (docs/security.md).
 */
export class CreateAuditTree1764390000000 implements MigrationInterface {
  name = 'CreateAuditTree1764390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_tree_nodes (
        level smallint NOT NULL CONSTRAINT ck_audit_tree_nodes_level CHECK (level BETWEEN 0 AND 62),
        idx bigint NOT NULL CONSTRAINT ck_audit_tree_nodes_idx CHECK (idx >= 0),
        hash bytea NOT NULL CONSTRAINT ck_audit_tree_nodes_hash CHECK (length(hash) = 32),
        CONSTRAINT pk_audit_tree_nodes PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      CREATE TABLE audit_checkpoints (
        size bigint PRIMARY KEY CONSTRAINT ck_audit_checkpoints_size CHECK (size >= 0),
        root_hash bytea NOT NULL CONSTRAINT ck_audit_checkpoints_root CHECK (length(root_hash) = 32),
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature bytea NOT NULL CONSTRAINT ck_audit_checkpoints_signature CHECK (length(signature) = 64)
      )`);
    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_tree_nodes', 'audit_checkpoints']) {
      await q.query(`
        CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }

    // The role the application's login role belongs to. Cluster-wide, so created once.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ostracon_app') THEN CREATE ROLE ostracon_app NOLOGIN; END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ostracon_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ostracon_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ostracon_app`);
    // Tables later migrations create get the same by default; an audit table must revoke as below.
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ostracon_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ostracon_app`);
    // The audit tables: read and append only. (audit_log_head is the counter that orders them.)
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_tree_nodes, audit_checkpoints FROM ostracon_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ostracon_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ostracon_app`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ostracon_app`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ostracon_app`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ostracon_app`);
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP TABLE audit_tree_nodes`);
    await q.query(`DROP FUNCTION audit_refuse_change()`);
  }
}
