import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Private sign-up checks (docs/private-checks.md): the keyed elements of each order signal, the
 * per-platform private sets with their change versions, the OPRF public keys as first served,
 * and the evaluation counts per platform and hour.
 *
 * Orders registered before this migration have no elements: the service never kept their raw
 * values nor their prehashes, so nothing can compute them. They stay checkable in the plain mode.
 */
export class CreatePrivateChecks1764460000000 implements MigrationInterface {
  name = 'CreatePrivateChecks1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oprf_keys (
        key_id text PRIMARY KEY,
        -- pkS = k·G, ristretto255; written once, when the key first serves, with its audit event.
        public_key bytea NOT NULL CONSTRAINT ck_oprf_keys_public_key CHECK (length(public_key) = 32),
        first_served_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE private_elements (
        signal_id bigint NOT NULL CONSTRAINT fk_private_elements_signal REFERENCES order_signals (id) ON DELETE CASCADE,
        key_id text NOT NULL,
        -- E = k·HashToGroup(prehash) under the OPRF key key_id; keyed: useless without k.
        element bytea NOT NULL CONSTRAINT ck_private_elements_element CHECK (length(element) = 32),
        -- T = SHA-256("ostracon:v1:private-set" ‖ E)[0..16], the entry platforms hold.
        tag bytea NOT NULL CONSTRAINT ck_private_elements_tag CHECK (length(tag) = 16),
        strength text NOT NULL CONSTRAINT ck_private_elements_strength CHECK (strength IN ('strong', 'possible')),
        PRIMARY KEY (signal_id, key_id)
      )`);
    await q.query(`CREATE INDEX idx_private_elements_element ON private_elements (key_id, element)`);
    await q.query(`CREATE INDEX idx_private_elements_tag ON private_elements (key_id, tag)`);

    await q.query(`CREATE SEQUENCE private_set_version AS bigint`);
    await q.query(`
      CREATE TABLE private_set_entries (
        platform_id text NOT NULL CONSTRAINT fk_private_set_entries_platform REFERENCES platforms (id),
        key_id text NOT NULL,
        tag bytea NOT NULL CONSTRAINT ck_private_set_entries_tag CHECK (length(tag) = 16),
        strength text NOT NULL CONSTRAINT ck_private_set_entries_strength CHECK (strength IN ('strong', 'possible')),
        -- false: a removal the platforms following the set must still be told about.
        present boolean NOT NULL,
        -- From private_set_version, under one lock, so versions commit in order: a cursor is a version.
        version bigint NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (platform_id, key_id, tag)
      )`);
    // The removals the lifecycle may forget (PrivateSetStore.forgetUnheld), without a scan of the sets.
    await q.query(`CREATE INDEX idx_private_set_entries_removed ON private_set_entries (changed_at) WHERE NOT present`);
    await q.query(`CREATE INDEX idx_private_set_entries_version ON private_set_entries (platform_id, key_id, version)`);
    await q.query(`
      CREATE TABLE private_set_horizons (
        platform_id text NOT NULL CONSTRAINT fk_private_set_horizons_platform REFERENCES platforms (id),
        key_id text NOT NULL,
        -- Removals up to this version were forgotten (purge): a cursor below it must download again.
        version bigint NOT NULL,
        PRIMARY KEY (platform_id, key_id)
      )`);

    await q.query(`
      CREATE TABLE private_evaluation_counts (
        platform_id text NOT NULL CONSTRAINT fk_private_evaluation_counts_platform REFERENCES platforms (id),
        hour timestamptz NOT NULL,
        requests bigint NOT NULL,
        elements bigint NOT NULL,
        audited_at timestamptz,
        PRIMARY KEY (platform_id, hour)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE private_evaluation_counts`);
    await q.query(`DROP TABLE private_set_horizons`);
    await q.query(`DROP TABLE private_set_entries`);
    await q.query(`DROP SEQUENCE private_set_version`);
    await q.query(`DROP TABLE private_elements`);
    await q.query(`DROP TABLE oprf_keys`);
  }
}
