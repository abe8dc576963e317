import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A platform's webhook secret can be rotated with an overlap (Standard Webhooks allows several
 * signatures in one header): until `webhook_secret_previous_until`, deliveries are signed with the
 * new secret and the previous one, so a platform can switch its verifier at any moment of the
 * overlap. Sealed like the current secret (AES-256-GCM under the account key ring).
 */
export class RotateWebhookSecrets1764430000000 implements MigrationInterface {
  name = 'RotateWebhookSecrets1764430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE platforms
        ADD COLUMN webhook_secret_previous_enc bytea,
        ADD COLUMN webhook_secret_previous_key_id text,
        ADD COLUMN webhook_secret_previous_until timestamptz,
        ADD CONSTRAINT ck_platforms_previous_secret CHECK (
          (webhook_secret_previous_enc IS NULL) = (webhook_secret_previous_until IS NULL)
          AND (webhook_secret_previous_enc IS NULL) = (webhook_secret_previous_key_id IS NULL)
          -- only a push platform (one with a current secret) has a previous one
          AND (webhook_secret_previous_enc IS NULL OR webhook_secret_enc IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE platforms
        DROP CONSTRAINT ck_platforms_previous_secret,
        DROP COLUMN webhook_secret_previous_until,
        DROP COLUMN webhook_secret_previous_key_id,
        DROP COLUMN webhook_secret_previous_enc`);
  }
}
