import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sign-up check rate per API key (docs/screening.md § Abuse resistance): a platform of 40 million
 * users and a forum of 4,000 need different ones. NULL: the global SIGNUP_RATE_PER_SECOND and
 * SIGNUP_RATE_BURST. The burst is at least a full batch (1,000 checks), or a batch could never pass.
 */
export class ClientSignupLimits1764480000000 implements MigrationInterface {
  name = 'ClientSignupLimits1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_clients
        ADD COLUMN signup_rate_per_second double precision
          CONSTRAINT ck_api_clients_signup_rate CHECK (signup_rate_per_second BETWEEN 0.01 AND 10000000),
        ADD COLUMN signup_rate_burst integer
          CONSTRAINT ck_api_clients_signup_burst CHECK (signup_rate_burst BETWEEN 1000 AND 100000000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_clients DROP COLUMN signup_rate_per_second, DROP COLUMN signup_rate_burst`);
  }
}
