import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attempts (issue 30, docs/attempts.md, decision 0024): a sign-up matched during a ban.
 * - The platform's answer on a match: its outcome, when and by which key; a confirmed account id
 *   sealed like the order accounts (AES-256-GCM under ACCOUNT_ENCRYPTION_KEYS, AAD `match:<id>`).
 * - attempt_reads: which attempts an organisation has opened (libs/screening `attempts.service.ts`).
 * - people.attempt_mails_since: a person's opt-in to an e-mail per new attempt (null: none).
 * - mail_outbox: one row per mail owed (person, attempt), carried by the worker's polling sender
 *   (libs/notifications `mail-outbox.store.ts`); unique per person and attempt, so a mail is
 *   queued once however many workers plan it.
 */
export class RecordAttempts1764520000000 implements MigrationInterface {
  name = 'RecordAttempts1764520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE signup_matches
        ADD COLUMN outcome text CONSTRAINT ck_signup_matches_outcome CHECK (outcome IN ('confirmed', 'not_same_person', 'unknown')),
        ADD COLUMN account_key_id text,
        ADD COLUMN account_enc bytea,
        ADD COLUMN reviewed_at timestamptz,
        ADD COLUMN reviewed_by uuid CONSTRAINT fk_signup_matches_reviewed_by REFERENCES api_clients (id),
        ADD CONSTRAINT ck_signup_matches_reviewed CHECK ((outcome IS NULL) = (reviewed_at IS NULL) AND (outcome IS NULL) = (reviewed_by IS NULL)),
        ADD CONSTRAINT ck_signup_matches_account CHECK (
          (account_enc IS NULL) = (account_key_id IS NULL) AND (account_enc IS NULL OR outcome = 'confirmed'))`);
    await q.query(`CREATE INDEX idx_signup_matches_reviewed_by ON signup_matches (reviewed_by)`);
    await q.query(`CREATE INDEX idx_signup_matches_matched_at ON signup_matches (matched_at)`);

    await q.query(`
      CREATE TABLE attempt_reads (
        organisation_id uuid NOT NULL CONSTRAINT fk_attempt_reads_organisation REFERENCES organisations (id),
        match_id uuid NOT NULL CONSTRAINT fk_attempt_reads_match REFERENCES signup_matches (id),
        read_at timestamptz NOT NULL,
        read_by text NOT NULL,
        CONSTRAINT pk_attempt_reads PRIMARY KEY (organisation_id, match_id)
      )`);
    await q.query(`CREATE INDEX idx_attempt_reads_match_id ON attempt_reads (match_id)`);

    await q.query(`ALTER TABLE people ADD COLUMN attempt_mails_since timestamptz`);

    await q.query(`
      CREATE TABLE mail_outbox (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL CONSTRAINT fk_mail_outbox_person REFERENCES people (id),
        match_id uuid NOT NULL CONSTRAINT fk_mail_outbox_match REFERENCES signup_matches (id),
        queued_at timestamptz NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        sent_at timestamptz,
        transport text CONSTRAINT ck_mail_outbox_transport CHECK (transport IN ('smtp', 'kept')),
        CONSTRAINT uq_mail_outbox_person_match UNIQUE (person_id, match_id),
        CONSTRAINT ck_mail_outbox_sent CHECK ((sent_at IS NULL) = (transport IS NULL))
      )`);
    await q.query(`CREATE INDEX idx_mail_outbox_match_id ON mail_outbox (match_id)`);
    await q.query(`CREATE INDEX idx_mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_outbox`);
    await q.query(`ALTER TABLE people DROP COLUMN attempt_mails_since`);
    await q.query(`DROP TABLE attempt_reads`);
    await q.query(`DROP INDEX idx_signup_matches_matched_at`);
    await q.query(`DROP INDEX idx_signup_matches_reviewed_by`);
    await q.query(`
      ALTER TABLE signup_matches
        DROP CONSTRAINT ck_signup_matches_account,
        DROP CONSTRAINT ck_signup_matches_reviewed,
        DROP COLUMN reviewed_by, DROP COLUMN reviewed_at, DROP COLUMN account_enc, DROP COLUMN account_key_id, DROP COLUMN outcome`);
  }
}
