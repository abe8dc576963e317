import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisations, the people who sign in for them, and their sessions (docs/people.md).
 *
 * - An organisation holds a role (authority, auditor, admin, platform). Its API keys and its
 *   people act in that role: the composite foreign keys on (organisation_id, role) make a key or
 *   a person of another role impossible. Every existing client becomes an organisation of its own
 *   (same id, name and role), so nothing an existing key could do changes.
 * - An order belongs to the organisation that submitted it (`ban_orders.organisation_id`), not to
 *   one key: a second clerk of the same parquet sees it. Which key or person submitted it is the
 *   log's to say (`order.created`'s actor), so `authority_client_id` goes.
 * - A person is matched by the provider's (issuer, subject), or on first sign-in by the invited
 *   e-mail; both are unique among people not removed.
 * - Sessions are rows keyed by the SHA-256 of the opaque cookie; ending one is an update, and a
 *   removed person's sessions stop at once because every check joins people.
 * - A sign-in in progress (state, nonce, PKCE verifier) is a row keyed by the SHA-256 of a
 *   short-lived cookie, read once.
 * - Idempotency keys belong to the caller, an API client or a person: the foreign key to
 *   api_clients goes, the column keeps its name.
 */
export class CreateOrganisationsAndPeople1764440000000 implements MigrationInterface {
  name = 'CreateOrganisationsAndPeople1764440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY,
        name text NOT NULL CONSTRAINT ck_organisations_name CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CONSTRAINT ck_organisations_role CHECK (role IN ('authority', 'platform', 'auditor', 'admin')),
        platform_id text CONSTRAINT fk_organisations_platform REFERENCES platforms (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_organisations_platform CHECK ((role = 'platform') = (platform_id IS NOT NULL)),
        CONSTRAINT uq_organisations_role UNIQUE (id, role),
        CONSTRAINT uq_organisations_platform UNIQUE (id, platform_id)
      )`);
    await q.query(`
      INSERT INTO organisations (id, name, role, platform_id, created_at)
      SELECT id, name, role, platform_id, created_at FROM api_clients`);

    await q.query(`ALTER TABLE api_clients ADD COLUMN organisation_id uuid`);
    await q.query(`UPDATE api_clients SET organisation_id = id`);
    await q.query(`
      ALTER TABLE api_clients
        ALTER COLUMN organisation_id SET NOT NULL,
        ADD CONSTRAINT fk_api_clients_organisation_role FOREIGN KEY (organisation_id, role) REFERENCES organisations (id, role),
        ADD CONSTRAINT fk_api_clients_organisation_platform FOREIGN KEY (organisation_id, platform_id) REFERENCES organisations (id, platform_id)`);
    await q.query(`CREATE INDEX idx_api_clients_organisation_id ON api_clients (organisation_id)`);

    await q.query(`ALTER TABLE ban_orders ADD COLUMN organisation_id uuid`);
    await q.query(`UPDATE ban_orders o SET organisation_id = c.organisation_id FROM api_clients c WHERE c.id = o.authority_client_id`);
    await q.query(`
      ALTER TABLE ban_orders
        ALTER COLUMN organisation_id SET NOT NULL,
        ADD CONSTRAINT fk_ban_orders_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id),
        DROP COLUMN authority_client_id`);
    await q.query(`CREATE INDEX idx_ban_orders_organisation_id ON ban_orders (organisation_id, id DESC)`);

    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT fk_idempotency_keys_client`);

    await q.query(`
      CREATE TABLE people (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL,
        role text NOT NULL CONSTRAINT ck_people_role CHECK (role IN ('authority', 'auditor', 'admin')),
        -- lower-cased at invitation: what a provider returns is compared the same way
        email text NOT NULL CONSTRAINT ck_people_email CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        -- as the provider gives it at sign-in; read by auditors only through an audited read
        display_name text CONSTRAINT ck_people_display_name CHECK (length(display_name) <= 200),
        issuer text,
        subject text,
        invited_at timestamptz NOT NULL DEFAULT now(),
        signed_in_at timestamptz,
        removed_at timestamptz,
        CONSTRAINT fk_people_organisation_role FOREIGN KEY (organisation_id, role) REFERENCES organisations (id, role),
        CONSTRAINT ck_people_subject CHECK ((issuer IS NULL) = (subject IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_people_subject ON people (issuer, subject) WHERE removed_at IS NULL AND subject IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_people_email ON people (email) WHERE removed_at IS NULL`);
    await q.query(`CREATE INDEX idx_people_organisation_id ON people (organisation_id, id)`);

    await q.query(`
      CREATE TABLE sessions (
        id_hash bytea PRIMARY KEY CONSTRAINT ck_sessions_id_hash CHECK (length(id_hash) = 32),
        person_id uuid NOT NULL CONSTRAINT fk_sessions_person REFERENCES people (id),
        -- the synchronizer token cookie-authenticated mutations must echo (docs/people.md)
        csrf_token text NOT NULL,
        -- kept for RP-initiated logout (id_token_hint); ended with the session, purged a day after its end
        id_token text,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz,
        end_reason text CONSTRAINT ck_sessions_end_reason CHECK (end_reason IN ('signed_out', 'removed', 'expired')),
        CONSTRAINT ck_sessions_ended CHECK ((ended_at IS NULL) = (end_reason IS NULL))
      )`);
    await q.query(`CREATE INDEX idx_sessions_person_id ON sessions (person_id) WHERE ended_at IS NULL`);
    await q.query(`CREATE INDEX idx_sessions_expires_at ON sessions (expires_at)`);

    await q.query(`
      CREATE TABLE sign_in_attempts (
        id_hash bytea PRIMARY KEY CONSTRAINT ck_sign_in_attempts_id_hash CHECK (length(id_hash) = 32),
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        return_to text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_sign_in_attempts_expires_at ON sign_in_attempts (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_attempts`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE people`);
    await q.query(`
      ALTER TABLE idempotency_keys ADD CONSTRAINT fk_idempotency_keys_client FOREIGN KEY (client_id) REFERENCES api_clients (id) NOT VALID`);
    // An order submitted through an organisation goes back to one of its keys (the oldest).
    await q.query(`ALTER TABLE ban_orders ADD COLUMN authority_client_id uuid`);
    await q.query(`
      UPDATE ban_orders o SET authority_client_id = (
        SELECT c.id FROM api_clients c WHERE c.organisation_id = o.organisation_id ORDER BY c.id LIMIT 1)`);
    await q.query(`
      ALTER TABLE ban_orders
        ALTER COLUMN authority_client_id SET NOT NULL,
        ADD CONSTRAINT fk_ban_orders_authority FOREIGN KEY (authority_client_id) REFERENCES api_clients (id),
        DROP COLUMN organisation_id`);
    await q.query(`CREATE INDEX idx_ban_orders_authority_client_id ON ban_orders (authority_client_id, id DESC)`);
    await q.query(`ALTER TABLE api_clients DROP COLUMN organisation_id`);
    await q.query(`DROP TABLE organisations`);
  }
}
