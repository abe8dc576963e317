import type { KeyObject } from 'node:crypto';
import { queryRows } from '@ostracon/database';
import type { TrustPolicy } from '@ostracon/platform-sdk/transparency';
import type { DataSource } from 'typeorm';
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
    const rows = await queryRows<StoredEventRow>(
      dataSource,
      `SELECT e.seq, e.at, e.type, e.actor, e.order_id, e.platform_id, e.data, n.hash AS stored
       FROM audit_events e LEFT JOIN audit_tree_nodes n ON n.level = 0 AND n.idx = e.seq - 1
       WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
      [after, BATCH],
    );
    yield* rows;
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
