import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platforms, API clients, ban orders with their hashed signals and encrypted accounts,
 * idempotency keys, and the append-only audit log.
 */
export class CreateCoreSchema1764360000000 implements MigrationInterface {
  name = 'CreateCoreSchema1764360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platforms (
        id text PRIMARY KEY CONSTRAINT ck_platforms_id CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
        name text NOT NULL CONSTRAINT ck_platforms_name CHECK (length(name) BETWEEN 1 AND 200),
        webhook_url text,
        -- AES-256-GCM under the account key ring: the secret must be usable to sign, so it is not hashed.
        webhook_secret_enc bytea,
        webhook_secret_key_id text,
        sla_hours integer NOT NULL DEFAULT 48 CONSTRAINT ck_platforms_sla CHECK (sla_hours BETWEEN 1 AND 8760),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_platforms_webhook CHECK ((webhook_url IS NULL) = (webhook_secret_enc IS NULL))
      )`);

    await q.query(`
      CREATE TABLE api_clients (
        id uuid PRIMARY KEY,
        name text NOT NULL CONSTRAINT ck_api_clients_name CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CONSTRAINT ck_api_clients_role CHECK (role IN ('authority', 'platform', 'auditor', 'admin')),
        platform_id text CONSTRAINT fk_api_clients_platform REFERENCES platforms (id),
        key_hash bytea NOT NULL CONSTRAINT uq_api_clients_key_hash UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT ck_api_clients_platform CHECK ((role = 'platform') = (platform_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX idx_api_clients_platform_id ON api_clients (platform_id)`);

    await q.query(`
      CREATE TABLE ban_orders (
        id uuid PRIMARY KEY,
        authority_client_id uuid NOT NULL CONSTRAINT fk_ban_orders_authority REFERENCES api_clients (id),
        court_reference text NOT NULL,
        court text NOT NULL,
        decision_date date NOT NULL,
        legal_basis text NOT NULL CONSTRAINT ck_ban_orders_legal_basis
          CHECK (legal_basis IN ('conviction', 'pretrial_supervision', 'probation')),
        offence text NOT NULL,
        repeat_offender boolean NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        signal_count integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revocation_reason text,
        revocation_decision_reference text,
        CONSTRAINT ck_ban_orders_window CHECK (ends_at > starts_at),
        -- Code pénal 131-35-1: 12 months at the very most (repeat offence); the finer rules are in libs/orders.
        CONSTRAINT ck_ban_orders_max_duration CHECK (ends_at <= starts_at + interval '12 months'),
        CONSTRAINT ck_ban_orders_revocation CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
      )`);
    await q.query(`CREATE INDEX idx_ban_orders_authority_client_id ON ban_orders (authority_client_id, id DESC)`);
    await q.query(`CREATE INDEX idx_ban_orders_court_reference ON ban_orders (court_reference)`);
    await q.query(`CREATE INDEX idx_ban_orders_window ON ban_orders (starts_at, ends_at) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE order_platforms (
        order_id uuid NOT NULL CONSTRAINT fk_order_platforms_order REFERENCES ban_orders (id),
        platform_id text NOT NULL CONSTRAINT fk_order_platforms_platform REFERENCES platforms (id),
        status text NOT NULL DEFAULT 'pending' CONSTRAINT ck_order_platforms_status
          CHECK (status IN ('pending', 'delivered', 'enforced', 'failed', 'lifting', 'lifted')),
        account_count integer NOT NULL CONSTRAINT ck_order_platforms_account_count CHECK (account_count >= 1),
        -- AES-256-GCM of the JSON account list, bound to (order, platform); null once purged.
        accounts_enc bytea,
        accounts_key_id text,
        delivered_at timestamptz,
        enforced_at timestamptz,
        sla_deadline timestamptz,
        lifted_at timestamptz,
        CONSTRAINT pk_order_platforms PRIMARY KEY (order_id, platform_id)
      )`);
    await q.query(`CREATE INDEX idx_order_platforms_platform_id ON order_platforms (platform_id, order_id)`);

    await q.query(`
      CREATE TABLE order_signals (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id uuid NOT NULL CONSTRAINT fk_order_signals_order REFERENCES ban_orders (id),
        type text NOT NULL CONSTRAINT ck_order_signals_type CHECK (type IN ('email', 'phone', 'name_dob', 'device')),
        -- HMAC-SHA256 of the prehash under the pepper named by key_id (docs/signals.md); never a raw value.
        key_id text NOT NULL,
        digest bytea NOT NULL CONSTRAINT ck_order_signals_digest CHECK (length(digest) = 32),
        CONSTRAINT uq_order_signals_digest UNIQUE (order_id, key_id, digest)
      )`);
    await q.query(`CREATE INDEX idx_order_signals_digest ON order_signals (digest)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        client_id uuid NOT NULL CONSTRAINT fk_idempotency_keys_client REFERENCES api_clients (id),
        key text NOT NULL,
        -- HMAC of the canonical request body: tells a replay from another body without keeping it.
        request_hash bytea NOT NULL,
        state text NOT NULL CONSTRAINT ck_idempotency_keys_state CHECK (state IN ('in_flight', 'completed')),
        locked_until timestamptz NOT NULL,
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_idempotency_keys PRIMARY KEY (client_id, key)
      )`);
    await q.query(`CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at)`);

    // The audit log. seq comes from audit_log_head, locked by the writing transaction until it
    // commits: a gapless sequence in commit order, whatever the number of writers.
    await q.query(`
      CREATE TABLE audit_log_head (
        id boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_audit_log_head_single CHECK (id),
        size bigint NOT NULL
      )`);
    await q.query(`INSERT INTO audit_log_head (size) VALUES (0)`);
    await q.query(`
      CREATE TABLE audit_events (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        type text NOT NULL,
        actor text NOT NULL,
        order_id uuid,
        platform_id text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX idx_audit_events_order_id ON audit_events (order_id, seq) WHERE order_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_audit_events_type ON audit_events (type, seq)`);
    await q.query(`CREATE INDEX idx_audit_events_at ON audit_events (at)`);
    await q.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
    // The server sets the time, whatever the writer sends.
    await q.query(`
      CREATE FUNCTION audit_events_set_time() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.at := date_trunc('milliseconds', clock_timestamp());
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_set_time BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_set_time()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_set_time()`);
    await q.query(`DROP FUNCTION audit_events_refuse_change()`);
    await q.query(`DROP TABLE audit_log_head`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE order_signals`);
    await q.query(`DROP TABLE order_platforms`);
    await q.query(`DROP TABLE ban_orders`);
    await q.query(`DROP TABLE api_clients`);
    await q.query(`DROP TABLE platforms`);
  }
}
