import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-up screening: every API process keeps an in-memory index of the banned signals, told
 * by NOTIFY when an order is created, revoked or purged.
 * A match is recorded (no raw value: ids, types, decision) so that its opaque `matchId` can be
 * resolved to the order by the order's authority and by auditors.
 */
export class CreateScreening1764380000000 implements MigrationInterface {
  name = 'CreateScreening1764380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ban_orders_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ostracon_orders', NEW.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER ban_orders_notify_insert AFTER INSERT ON ban_orders
      FOR EACH ROW EXECUTE FUNCTION ban_orders_notify()`);
    await q.query(`
      CREATE TRIGGER ban_orders_notify_update AFTER UPDATE OF revoked_at, purged_at ON ban_orders
      FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.purged_at IS DISTINCT FROM NEW.purged_at)
      EXECUTE FUNCTION ban_orders_notify()`);

    await q.query(`
      CREATE TABLE signup_matches (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL CONSTRAINT fk_signup_matches_order REFERENCES ban_orders (id),
        platform_id text NOT NULL CONSTRAINT fk_signup_matches_platform REFERENCES platforms (id),
        client_id uuid NOT NULL CONSTRAINT fk_signup_matches_client REFERENCES api_clients (id),
        decision text NOT NULL CONSTRAINT ck_signup_matches_decision CHECK (decision IN ('block', 'review')),
        signal_types text[] NOT NULL,
        matched_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_signup_matches_order_id ON signup_matches (order_id)`);
    await q.query(`CREATE INDEX idx_signup_matches_platform_id ON signup_matches (platform_id)`);
    await q.query(`CREATE INDEX idx_signup_matches_client_id ON signup_matches (client_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signup_matches`);
    await q.query(`DROP TRIGGER ban_orders_notify_update ON ban_orders`);
    await q.query(`DROP TRIGGER ban_orders_notify_insert ON ban_orders`);
    await q.query(`DROP FUNCTION ban_orders_notify()`);
  }
}
