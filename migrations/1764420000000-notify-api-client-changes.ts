import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API process keeps its clients' key hashes in memory (libs/auth ApiKeyIndex), so that an
 * unknown key costs no database read and a PostgreSQL outage does not stop the sign-up checks.
 * A client created, revoked or deleted, by any process, is announced on CHANNELS.clients
 * ('ostracon_clients', libs/database/src/channels.ts) as `<id>:active` or `<id>:gone`: a
 * revocation needs no read to take effect, and no late read can undo it.
 */
export class NotifyApiClientChanges1764420000000 implements MigrationInterface {
  name = 'NotifyApiClientChanges1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION api_clients_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('ostracon_clients', OLD.id::text || ':gone');
        ELSE
          PERFORM pg_notify('ostracon_clients', NEW.id::text || CASE WHEN NEW.revoked_at IS NULL THEN ':active' ELSE ':gone' END);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER api_clients_notify AFTER INSERT OR UPDATE OR DELETE ON api_clients
      FOR EACH ROW EXECUTE FUNCTION api_clients_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_clients_notify ON api_clients`);
    await q.query(`DROP FUNCTION api_clients_notify()`);
  }
}
