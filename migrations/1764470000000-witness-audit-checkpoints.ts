import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The witnessed log (docs/auditing.md § A witnessed log): each checkpoint also as a C2SP signed
 * note, the witnesses' cosignatures of those notes, both append-only like the rest of the log;
 * and what the worker knows of each witness (the size it last cosigned, its failures and its
 * refusals), which it updates.
 */
export class WitnessAuditCheckpoints1764470000000 implements MigrationInterface {
  name = 'WitnessAuditCheckpoints1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoint_notes (
        size bigint PRIMARY KEY REFERENCES audit_checkpoints (size),
        note text NOT NULL CONSTRAINT ck_audit_checkpoint_notes_note CHECK (length(note) BETWEEN 1 AND 8192)
      )`);
    await q.query(`
      CREATE TABLE audit_cosignatures (
        size bigint NOT NULL REFERENCES audit_checkpoint_notes (size),
        witness text NOT NULL,
        -- The witness key's id (c2sp.org/tlog-cosignature): a cosignature counts for the key configured now.
        key_id bigint NOT NULL CONSTRAINT ck_audit_cosignatures_key_id CHECK (key_id BETWEEN 0 AND 4294967295),
        line text NOT NULL CONSTRAINT ck_audit_cosignatures_line CHECK (length(line) BETWEEN 1 AND 4096),
        cosigned_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        CONSTRAINT pk_audit_cosignatures PRIMARY KEY (size, witness)
      )`);
    for (const table of ['audit_checkpoint_notes', 'audit_cosignatures']) {
      await q.query(`
        CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoint_notes, audit_cosignatures FROM ostracon_app`);
    await q.query(`
      CREATE TABLE audit_witnesses (
        witness text PRIMARY KEY,
        cosigned_size bigint NOT NULL DEFAULT 0 CONSTRAINT ck_audit_witnesses_size CHECK (cosigned_size >= 0),
        last_attempt_at timestamptz,
        last_success_at timestamptz,
        failures integer NOT NULL DEFAULT 0,
        refusals bigint NOT NULL DEFAULT 0,
        last_error text
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_witnesses`);
    await q.query(`DROP TABLE audit_cosignatures`);
    await q.query(`DROP TABLE audit_checkpoint_notes`);
  }
}
