import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit Merkle tree as C2SP tlog-tiles (https://c2sp.org/tlog-tiles, decision 0030): a row
 * per tile of 256 hashes of tree level 8·level, instead of a row per subtree of every level.
 * audit_tree_nodes made PostgreSQL insert about two rows per appended event beside the event's
 * own, on a machine where PostgreSQL is the bound (docs/performance.md § Issue 31, target 6); an
 * extension of 700 events now writes about five rows.
 *
 * The tiles are the nodes of levels 0, 8, 16… of the old table, in index order, so every root and
 * proof is the same bytes and every checkpoint signed before still verifies. The tile at the right
 * edge of each level grows as the tree does: the application may UPDATE a tile's hashes, and a
 * trigger lets an update through only when it appends to a tile not yet full. Nothing is deleted.
 */
export class StoreAuditTreeAsTiles1764525000000 implements MigrationInterface {
  name = 'StoreAuditTreeAsTiles1764525000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_tree_tiles (
        level smallint NOT NULL CONSTRAINT ck_audit_tree_tiles_level CHECK (level BETWEEN 0 AND 7),
        idx bigint NOT NULL CONSTRAINT ck_audit_tree_tiles_idx CHECK (idx >= 0),
        -- 1 to 256 hashes of 32 bytes.
        hashes bytea NOT NULL CONSTRAINT ck_audit_tree_tiles_hashes
          CHECK (octet_length(hashes) BETWEEN 32 AND 8192 AND octet_length(hashes) % 32 = 0),
        CONSTRAINT pk_audit_tree_tiles PRIMARY KEY (level, idx)
      )`);
    // Hashes do not compress: stored out of line as they are, without trying.
    await q.query(`ALTER TABLE audit_tree_tiles ALTER COLUMN hashes SET STORAGE EXTERNAL`);
    await q.query(`
      INSERT INTO audit_tree_tiles (level, idx, hashes)
      SELECT level / 8, idx / 256, string_agg(hash, ''::bytea ORDER BY idx)
      FROM audit_tree_nodes WHERE level % 8 = 0
      GROUP BY level / 8, idx / 256`);
    await q.query(`
      CREATE FUNCTION audit_tile_grows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.level <> OLD.level OR NEW.idx <> OLD.idx OR octet_length(OLD.hashes) = 8192
           OR octet_length(NEW.hashes) <= octet_length(OLD.hashes)
           OR substring(NEW.hashes FROM 1 FOR octet_length(OLD.hashes)) <> OLD.hashes THEN
          RAISE EXCEPTION 'audit_tree_tiles: a tile only grows at its end: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_tree_tiles_only_grow BEFORE UPDATE ON audit_tree_tiles
      FOR EACH ROW EXECUTE FUNCTION audit_tile_grows()`);
    await q.query(`
      CREATE TRIGGER audit_tree_tiles_no_delete BEFORE DELETE ON audit_tree_tiles
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_tree_tiles_no_truncate BEFORE TRUNCATE ON audit_tree_tiles
      FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_tree_tiles FROM ostracon_app`);
    await q.query(`GRANT UPDATE (hashes) ON audit_tree_tiles TO ostracon_app`);
    await q.query(`DROP TABLE audit_tree_nodes`);
  }

  /** Back to a row per subtree: the stored levels from the tiles, the seven between hashed again. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_tree_nodes (
        level smallint NOT NULL CONSTRAINT ck_audit_tree_nodes_level CHECK (level BETWEEN 0 AND 62),
        idx bigint NOT NULL CONSTRAINT ck_audit_tree_nodes_idx CHECK (idx >= 0),
        hash bytea NOT NULL CONSTRAINT ck_audit_tree_nodes_hash CHECK (length(hash) = 32),
        CONSTRAINT pk_audit_tree_nodes PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      INSERT INTO audit_tree_nodes (level, idx, hash)
      SELECT t.level * 8, t.idx * 256 + i, substring(t.hashes FROM i * 32 + 1 FOR 32)
      FROM audit_tree_tiles t, generate_series(0, octet_length(t.hashes) / 32 - 1) AS i`);
    // RFC 9162 § 2.1.1: node = SHA-256(0x01 ‖ left ‖ right).
    await q.query(`
      DO $$ BEGIN
        FOR l IN 0..61 LOOP
          CONTINUE WHEN l % 8 = 7;
          INSERT INTO audit_tree_nodes (level, idx, hash)
          SELECT l + 1, a.idx / 2, sha256('\\x01'::bytea || a.hash || b.hash)
          FROM audit_tree_nodes a JOIN audit_tree_nodes b ON b.level = l AND b.idx = a.idx + 1
          WHERE a.level = l AND a.idx % 2 = 0;
        END LOOP;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_tree_nodes_no_update_delete BEFORE UPDATE OR DELETE ON audit_tree_nodes
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_tree_nodes_no_truncate BEFORE TRUNCATE ON audit_tree_nodes
      FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_tree_nodes FROM ostracon_app`);
    await q.query(`DROP TABLE audit_tree_tiles`);
    await q.query(`DROP FUNCTION audit_tile_grows()`);
  }
}
