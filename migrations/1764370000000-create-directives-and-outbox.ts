import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Directives (what each platform is told, and how far it got) and the transactional outbox
 * that carries them to the queue. The order lifecycle is recorded on the order itself, so
 * every time-based transition is driven from PostgreSQL and happens once.
 */
export class CreateDirectivesAndOutbox1764370000000 implements MigrationInterface {
  name = 'CreateDirectivesAndOutbox1764370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ban_orders
        ADD COLUMN activated_at timestamptz,
        ADD COLUMN expired_at timestamptz,
        ADD COLUMN purged_at timestamptz`);
    await q.query(`CREATE INDEX idx_ban_orders_to_activate ON ban_orders (starts_at) WHERE activated_at IS NULL AND revoked_at IS NULL`);
    await q.query(`CREATE INDEX idx_ban_orders_to_expire ON ban_orders (ends_at) WHERE expired_at IS NULL AND revoked_at IS NULL`);
    await q.query(`CREATE INDEX idx_ban_orders_to_purge ON ban_orders (LEAST(ends_at, revoked_at)) WHERE purged_at IS NULL`);

    await q.query(`
      CREATE TABLE directives (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL CONSTRAINT fk_directives_order REFERENCES ban_orders (id),
        platform_id text NOT NULL CONSTRAINT fk_directives_platform REFERENCES platforms (id),
        type text NOT NULL CONSTRAINT ck_directives_type CHECK (type IN ('suspend', 'lift')),
        status text NOT NULL DEFAULT 'pending' CONSTRAINT ck_directives_status
          CHECK (status IN ('pending', 'queued', 'delivered', 'acknowledged', 'failed', 'cancelled')),
        -- Not relayed before this instant: a suspend waits for the order's start.
        due_at timestamptz NOT NULL,
        effective_from timestamptz NOT NULL,
        effective_until timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        delivered_at timestamptz,
        sla_deadline timestamptz,
        sla_breached_at timestamptz,
        acknowledged_at timestamptz,
        outcome text CONSTRAINT ck_directives_outcome CHECK (outcome IN ('enforced', 'account_not_found', 'rejected')),
        note text,
        failed_at timestamptz,
        -- One suspend and one lift per (order, platform): a transition replayed writes nothing new.
        CONSTRAINT uq_directives_order_platform_type UNIQUE (order_id, platform_id, type),
        CONSTRAINT fk_directives_order_platform FOREIGN KEY (order_id, platform_id) REFERENCES order_platforms (order_id, platform_id)
      )`);
    await q.query(`CREATE INDEX idx_directives_platform_status ON directives (platform_id, status, id)`);
    await q.query(`CREATE INDEX idx_directives_sla ON directives (sla_deadline) WHERE status = 'delivered' AND sla_breached_at IS NULL`);
    await q.query(`CREATE INDEX idx_directives_queued ON directives (queued_at) WHERE status = 'queued'`);

    await q.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        directive_id uuid NOT NULL CONSTRAINT fk_outbox_directive REFERENCES directives (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      )`);
    await q.query(`CREATE INDEX idx_outbox_directive_id ON outbox (directive_id)`);
    await q.query(`CREATE INDEX idx_outbox_unrelayed ON outbox (id) WHERE relayed_at IS NULL`);
    // Wakes the relay the moment a transaction that wrote outbox rows commits.
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ostracon_outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);

    // The platform's answer to the suspend directive, kept on the order for the authority's view.
    await q.query(`ALTER TABLE order_platforms ADD COLUMN outcome text, ADD COLUMN acknowledged_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE order_platforms DROP COLUMN outcome, DROP COLUMN acknowledged_at`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP FUNCTION outbox_notify()`);
    await q.query(`DROP TABLE directives`);
    await q.query(`DROP INDEX idx_ban_orders_to_purge`);
    await q.query(`DROP INDEX idx_ban_orders_to_expire`);
    await q.query(`DROP INDEX idx_ban_orders_to_activate`);
    await q.query(`ALTER TABLE ban_orders DROP COLUMN activated_at, DROP COLUMN expired_at, DROP COLUMN purged_at`);
  }
}
