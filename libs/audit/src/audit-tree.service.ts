import { type KeyObject, sign } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig, type KeyRingEntry } from '@ostracon/config';
import { type AuditCheckpointsRow, type AuditTreeTilesRow, queryRows } from '@ostracon/database';
import type { DataSource, EntityManager } from 'typeorm';
import { type AuditEventRow, eventLeafHash, eventView } from './audit-leaf';
import {
  type TileNeed,
  type Tile,
  type TreeEdge,
  TILE_HEIGHT,
  TileSource,
  appendToTiles,
  edgeOf,
  leafPlace,
  partialTiles,
  sizeOf,
  tilesFor,
  HASH_BYTES,
} from './audit-tiles';
import { type Checkpoint, checkpointMessage, ed25519Key } from './checkpoint';
import {
  type Hash,
  type SubtreeSource,
  consistencyProof,
  inclusionProof,
  checkpointText,
  rootHash,
  signNote,
  subtreesNeeded,
  verifierKey,
} from '@ostracon/platform-sdk/transparency';

/** Upper tiles kept in memory at most: each stands for 65,536 leaves or more, 4,096 of them for 2^28. */
const CACHE_MAX = 4096;

/** Only one extender at a time across every worker process. */
const TREE_LOCK = 0x0a7d17;

/**
 * The Merkle tree over the audit log, stored as C2SP tlog-tiles (audit_tree_tiles, audit-tiles.ts):
 * extended in seq order behind the writers, a handful of rows per extension; read for roots and
 * proofs with one query each.
 */
@Injectable()
export class AuditTreeService {
  private readonly keys: (KeyRingEntry & { privateKey: KeyObject; publicKey: KeyObject })[];
  /** The log's name in its C2SP checkpoints, and its note key's name (AUDIT_LOG_ORIGIN). */
  readonly origin: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = config.audit.signingKeys.map((k) => ({ ...k, ...ed25519Key(k.key) }));
    this.origin = config.audit.origin;
  }

  /** The note verifier key of the key that signs checkpoints now: `<origin>+<key id>+<base64 key>`. */
  noteVerifierKey(): string {
    return verifierKey(this.origin, this.keys[0]!.publicKey);
  }

  /** The note verifier keys of every configured key (the first signs; the others verify older notes). */
  noteVerifierKeys(): string[] {
    return this.keys.map((k) => verifierKey(this.origin, k.publicKey));
  }

  /** The checkpoint of a tree as a C2SP signed note (c2sp.org/tlog-checkpoint), signed by the current key. */
  signedNote(size: number, root: Hash): string {
    const key = this.keys[0]!;
    return signNote(checkpointText(this.origin, size, root), this.origin, key.privateKey, key.publicKey);
  }

  /** The leaves in the tree: from its last tile of level 0, one row read backwards on the primary key. */
  async size(manager: EntityManager | DataSource = this.dataSource): Promise<number> {
    const [last] = await queryRows<Pick<AuditTreeTilesRow, 'idx'> & { bytes: number }>(
      manager,
      `SELECT idx, octet_length(hashes) AS bytes FROM audit_tree_tiles WHERE level = 0 ORDER BY idx DESC LIMIT 1`,
    );
    return sizeOf(last && { index: Number(last.idx), bytes: last.bytes });
  }

  /** The stored hash of leaf `index`, if the tree holds it yet. */
  async leafHash(index: number): Promise<Hash | undefined> {
    const { tile, position } = leafPlace(index);
    const [row] = await queryRows<{ hash: AuditTreeTilesRow['hashes'] }>(
      this.dataSource,
      `SELECT substring(hashes FROM $2 FOR $3) AS hash FROM audit_tree_tiles WHERE level = 0 AND idx = $1`,
      [tile, position * HASH_BYTES + 1, HASH_BYTES],
    );
    // Past a partial tile's end, substring gives no bytes.
    return row && row.hash.length === HASH_BYTES ? row.hash : undefined;
  }

  /**
   * Adds the next committed events (in seq order, stopping at any gap) to the tree; returns how
   * many. The seq counter is taken under a row lock until the writer commits, so the committed
   * events are always a gapless prefix: the tree never forks and never skips.
   */
  async extend(batch = 2000): Promise<number> {
    let grown: TreeEdge | undefined;
    const added = await this.dataSource.transaction(async (em) => {
      const [lock] = await queryRows<{ ok: boolean }>(em, `SELECT pg_try_advisory_xact_lock($1) AS ok`, [TREE_LOCK]);
      if (!lock!.ok) return 0;
      const size = await this.size(em);
      const rows = await queryRows<AuditEventRow>(
        em,
        `SELECT seq, at, type, actor, order_id, platform_id, data FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [size, batch],
      );
      const leaves: Hash[] = [];
      for (const row of rows) {
        if (Number(row.seq) !== size + leaves.length + 1) break;
        leaves.push(eventLeafHash(eventView(row)));
      }
      if (leaves.length === 0) return 0;
      // The edge this process left, unless another extended the tree since: then as stored.
      const edge = this.edge?.size === size ? this.edge : edgeOf(size, await this.readTiles(em, partialTiles(size)));
      const appended = appendToTiles(edge, leaves);
      // A tile that exists is the partial one at the right edge: it grows, which the table's
      // trigger checks (it refuses any other change to a tile).
      await em.query(
        `INSERT INTO audit_tree_tiles (level, idx, hashes)
         SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])
         ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes`,
        [appended.tiles.map((t) => t.level), appended.tiles.map((t) => t.index), appended.tiles.map((t) => t.hashes)],
      );
      grown = appended.edge;
      return leaves.length;
    });
    // Kept once committed only: after a rollback the next extension reads the edge as stored.
    if (grown) this.edge = grown;
    return added;
  }

  /** The right edge of the tree this process last extended: its frontier, hashed once (profiled: most of the worker's time otherwise). */
  private edge?: TreeEdge;

  /**
   * Signs and stores a checkpoint of the current tree if it grew since the last one, in both forms
   * (the JSON signature and the C2SP signed note), in one transaction; returns it.
   */
  async checkpoint(now: Date): Promise<Checkpoint | null> {
    const key = this.keys[0]!;
    const size = await this.size();
    const [last] = await queryRows<{ size: AuditCheckpointsRow['size'] | null }>(
      this.dataSource,
      `SELECT max(size) AS size FROM audit_checkpoints`,
    );
    if (last!.size !== null && Number(last!.size) >= size) return null;
    const root = await this.root(size);
    const unsigned = { size, rootHash: root.toString('hex'), timestamp: now.toISOString() };
    const signature = sign(null, checkpointMessage(unsigned), key.privateKey);
    const stored = await this.dataSource.transaction(async (em) => {
      const inserted = await queryRows<Pick<AuditCheckpointsRow, 'size'>>(
        em,
        `INSERT INTO audit_checkpoints (size, root_hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (size) DO NOTHING RETURNING size`,
        [size, root, now, key.keyId, signature],
      );
      if (inserted.length === 0) return false;
      await em.query(`INSERT INTO audit_checkpoint_notes (size, note) VALUES ($1, $2)`, [size, this.signedNote(size, root)]);
      return true;
    });
    return stored ? { ...unsigned, keyId: key.keyId, signature: signature.toString('base64') } : null;
  }

  /**
   * Gives the newest checkpoint its signed note if it has none (checkpoints signed before notes
   * existed), so that witnesses can be asked from the first start on.
   */
  async noteLatest(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const [row] = await queryRows<Pick<AuditCheckpointsRow, 'size' | 'root_hash'>>(
        em,
        `SELECT c.size, c.root_hash FROM audit_checkpoints c
         WHERE c.size = (SELECT max(size) FROM audit_checkpoints)
           AND NOT EXISTS (SELECT 1 FROM audit_checkpoint_notes n WHERE n.size = c.size)`,
      );
      if (!row) return;
      await em.query(`INSERT INTO audit_checkpoint_notes (size, note) VALUES ($1, $2) ON CONFLICT (size) DO NOTHING`, [
        row.size,
        this.signedNote(Number(row.size), row.root_hash),
      ]);
    });
  }

  async latestCheckpoint(): Promise<Checkpoint | null> {
    return (await this.readCheckpoints('ORDER BY size DESC LIMIT 1'))[0] ?? null;
  }

  /** Every checkpoint, oldest first. */
  checkpoints(): Promise<Checkpoint[]> {
    return this.readCheckpoints('ORDER BY size');
  }

  private async readCheckpoints(order: 'ORDER BY size DESC LIMIT 1' | 'ORDER BY size'): Promise<Checkpoint[]> {
    const rows = await queryRows<Pick<AuditCheckpointsRow, 'size' | 'root_hash' | 'signed_at' | 'key_id' | 'signature'>>(
      this.dataSource,
      `SELECT size, root_hash, signed_at, key_id, signature FROM audit_checkpoints ${order}`,
    );
    return rows.map((r) => ({
      size: Number(r.size),
      rootHash: r.root_hash.toString('hex'),
      timestamp: r.signed_at.toISOString(),
      keyId: r.key_id,
      signature: r.signature.toString('base64'),
    }));
  }

  /** Public keys by key id, as PEM (SPKI): the first signs new checkpoints. */
  publicKeys(): { keyId: string; algorithm: 'Ed25519'; publicKeyPem: string }[] {
    return this.keys.map((k) => ({
      keyId: k.keyId,
      algorithm: 'Ed25519' as const,
      publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    }));
  }

  publicKey(keyId: string): KeyObject | undefined {
    return this.keys.find((k) => k.keyId === keyId)?.publicKey;
  }

  async root(size: number): Promise<Hash> {
    return this.compute((src) => rootHash(src, size));
  }

  async inclusion(index: number, size: number): Promise<Hash[]> {
    return this.compute((src) => inclusionProof(src, index, size));
  }

  async consistency(from: number, to: number): Promise<Hash[]> {
    return this.compute((src) => consistencyProof(src, from, to));
  }

  /**
   * Runs a tree computation with the tiles it needs: those of tile level 1 and up from memory when
   * held wide enough (a tile only grows, so what was read stays true), the rest read in one query.
   */
  private async compute<T>(work: (src: SubtreeSource) => T): Promise<T> {
    // This computation's own: another may start afresh while this one waits for its rows.
    const upper = this.upper;
    const needs = tilesFor(subtreesNeeded(work));
    const missing = needs.filter((n) => n.level === 0 || !upper.tile(n.level, n.index, n.width));
    const leaves = new TileSource();
    for (const tile of await this.readTiles(this.dataSource, missing)) (tile.level === 0 ? leaves : upper).add(tile);
    if (upper.count > CACHE_MAX && this.upper === upper) this.upper = new TileSource();
    return work({
      subtree: (level, index) => (level < TILE_HEIGHT ? leaves : upper).subtree(level, index),
    });
  }

  /** Tiles of level 1 and up, with the subtree hashes computed from them: about n / 2^15 tiles. */
  private upper = new TileSource();

  private async readTiles(manager: EntityManager | DataSource, wanted: readonly Pick<TileNeed, 'level' | 'index'>[]): Promise<Tile[]> {
    if (wanted.length === 0) return [];
    const rows = await queryRows<AuditTreeTilesRow>(
      manager,
      `SELECT t.level, t.idx, t.hashes FROM audit_tree_tiles t
       JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON t.level = w.level AND t.idx = w.idx`,
      [wanted.map((w) => w.level), wanted.map((w) => w.index)],
    );
    return rows.map((r) => ({ level: r.level, index: Number(r.idx), hashes: r.hashes }));
  }
}
