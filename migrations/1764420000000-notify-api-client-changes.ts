import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API process keeps its clients' key hashes in memory (libs/auth ApiKeyIndex), so that an
 * unknown key costs no database read and a PostgreSQL outage does not stop the sign-up checks.
 * A client created or revoked, by any process, is announced on CHANNELS.clients
 * ('ostracon_clients', libs/database/src/channels.ts) with its id; the indexes re-read it.
 */
export class NotifyApiClientChanges1764420000000 implements MigrationInterface {
  name = 'NotifyApiClientChanges1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION api_clients_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ostracon_clients', NEW.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER api_clients_notify AFTER INSERT OR UPDATE ON api_clients
      FOR EACH ROW EXECUTE FUNCTION api_clients_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_clients_notify ON api_clients`);
    await q.query(`DROP FUNCTION api_clients_notify()`);
  }
}
