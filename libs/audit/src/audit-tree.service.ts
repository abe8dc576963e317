import { type KeyObject, sign } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig, type KeyRingEntry } from '@ostracon/config';
import { type AuditCheckpointsRow, type AuditTreeNodesRow, queryRows } from '@ostracon/database';
import type { DataSource, EntityManager } from 'typeorm';
import { type AuditEventRow, eventLeafHash, eventView } from './audit-leaf';
import { type Checkpoint, checkpointMessage, ed25519Key } from './checkpoint';
import {
  type Hash,
  type SubtreeSource,
  appendLeaves,
  consistencyProof,
  frontierOf,
  inclusionProof,
  checkpointText,
  rootHash,
  signNote,
  subtreesNeeded,
  verifierKey,
} from '@ostracon/platform-sdk/transparency';

const CACHED_LEVEL = 8;
const CACHE_MAX = 100_000;

/** Only one extender at a time across every worker process. */
const TREE_LOCK = 0x0a7d17;

/**
 * The Merkle tree over the audit log, stored as perfect-subtree hashes (audit_tree_nodes):
 * extended in seq order behind the writers, read for roots and proofs with one query each.
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

  async size(manager: EntityManager | DataSource = this.dataSource): Promise<number> {
    // A bigint, as text.
    const [row] = await queryRows<{ size: AuditTreeNodesRow['idx'] }>(
      manager,
      `SELECT COALESCE(max(idx) + 1, 0) AS size FROM audit_tree_nodes WHERE level = 0`,
    );
    return Number(row!.size);
  }

  /**
   * Adds the next committed events (in seq order, stopping at any gap) to the tree; returns how
   * many. The seq counter is taken under a row lock until the writer commits, so the committed
   * events are always a gapless prefix: the tree never forks and never skips.
   */
  async extend(batch = 2000): Promise<number> {
    return this.dataSource.transaction(async (em) => {
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
      const frontier = await this.fetch(em, frontierOf(size));
      const nodes = appendLeaves(size, frontier, leaves);
      await em.query(
        `INSERT INTO audit_tree_nodes (level, idx, hash)
         SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
        [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash)],
      );
      return leaves.length;
    });
  }

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
   * Runs a tree computation with the subtrees it needs: those of the upper levels from memory
   * (a stored subtree never changes, so they can be kept), the rest read in one query.
   */
  private async compute<T>(work: (src: SubtreeSource) => T): Promise<T> {
    const wanted = subtreesNeeded(work);
    const hashes = new Map<string, Hash>();
    const missing: { level: number; index: number }[] = [];
    for (const w of wanted) {
      const key = `${w.level}:${w.index}`;
      const cached = this.upper.get(key);
      if (cached) hashes.set(key, cached);
      else missing.push(w);
    }
    for (const [key, hash] of await this.fetch(this.dataSource, missing)) {
      hashes.set(key, hash);
      if (Number(key.slice(0, key.indexOf(':'))) >= CACHED_LEVEL) {
        if (this.upper.size >= CACHE_MAX) this.upper.clear();
        this.upper.set(key, hash);
      }
    }
    return work({
      subtree(level, index) {
        const hash = hashes.get(`${level}:${index}`);
        if (!hash) throw new Error(`audit tree is missing subtree ${level}:${index}`);
        return hash;
      },
    });
  }

  /** Subtrees of 2^CACHED_LEVEL leaves or more: about n / 2^(CACHED_LEVEL-1) of them, 8,000 at a million events. */
  private readonly upper = new Map<string, Hash>();

  private async fetch(manager: EntityManager | DataSource, wanted: { level: number; index: number }[]): Promise<Map<string, Hash>> {
    if (wanted.length === 0) return new Map();
    const rows = await queryRows<Pick<AuditTreeNodesRow, 'level' | 'idx' | 'hash'>>(
      manager,
      `SELECT n.level, n.idx, n.hash FROM audit_tree_nodes n
       JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
      [wanted.map((w) => w.level), wanted.map((w) => w.index)],
    );
    return new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
  }
}
