import type { KeyObject } from 'node:crypto';
import { queryRows } from '@ostracon/database';
import type { TrustPolicy } from '@ostracon/platform-sdk/transparency';
import type { DataSource } from 'typeorm';
import type { AuditTreeTilesRow } from '@ostracon/database';
import { type AuditEventRow } from './audit-leaf';
import { TileSource, hashAt, leafPlace } from './audit-tiles';
import { type StoredEventRow, type VerifyReport, verifyEventRows } from './audit-verifier';
import type { Checkpoint } from './checkpoint';

const BATCH = 5000;

/**
 * Against the database: recompute every event's leaf, compare it with the stored tree, and
 * each checkpoint's root and signature with the recomputed tree.
 */
export function verifyDatabase(
  dataSource: DataSource,
  checkpoints: Checkpoint[],
  keyFor: (keyId: string) => KeyObject | undefined,
  /** The signed notes, with the cosignatures held, and whom to trust for them. */
  notes?: { notes: string[]; policy: TrustPolicy },
): Promise<VerifyReport> {
  return verifyEventRows(storedEvents(dataSource), checkpoints, keyFor, notes);
}

/** Every stored event in seq order, with its stored leaf, read in batches. */
async function* storedEvents(dataSource: DataSource): AsyncGenerator<StoredEventRow> {
  let after = 0;
  for (;;) {
    const rows = await queryRows<AuditEventRow>(
      dataSource,
      `SELECT seq, at, type, actor, order_id, platform_id, data FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, BATCH],
    );
    if (rows.length === 0) return;
    const tiles = await leafTiles(dataSource, Number(rows[0]!.seq) - 1, Number(rows[rows.length - 1]!.seq) - 1);
    for (const row of rows) {
      const { tile, position } = leafPlace(Number(row.seq) - 1);
      const held = tiles.tile(0, tile, position + 1);
      yield { ...row, stored: held ? hashAt(held, position) : null };
    }
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** The tiles of level 0 that hold leaves `first` to `last`: each row once, not once per event. */
async function leafTiles(dataSource: DataSource, first: number, last: number): Promise<TileSource> {
  const rows = await queryRows<Pick<AuditTreeTilesRow, 'idx' | 'hashes'>>(
    dataSource,
    `SELECT idx, hashes FROM audit_tree_tiles WHERE level = 0 AND idx BETWEEN $1 AND $2`,
    [leafPlace(first).tile, leafPlace(last).tile],
  );
  return new TileSource(rows.map((r) => ({ level: 0, index: Number(r.idx), hashes: r.hashes })));
}
