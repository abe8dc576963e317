import type { KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { type AuditEventRow, type AuditEventView, eventLeafHash, eventView } from './audit-leaf';
import { type Checkpoint, verifyCheckpoint } from './audit-tree.service';
import { MemoryTree } from './merkle';

export interface VerifyReport {
  ok: boolean;
  events: number;
  checkpoints: number;
  /** The first event that does not verify, when one can be named. */
  firstBadSeq?: number;
  problems: string[];
}

const BATCH = 5000;

/**
 * Against the database: recompute every event's leaf, compare it with the stored tree, and
 * each checkpoint's root and signature with the recomputed tree.
 */
export async function verifyDatabase(
  dataSource: DataSource,
  checkpoints: Checkpoint[],
  keyFor: (keyId: string) => KeyObject | undefined,
): Promise<VerifyReport> {
  const tree = new MemoryTree();
  const problems: string[] = [];
  let firstBadSeq: number | undefined;
  const bad = (seq: number, why: string) => {
    firstBadSeq ??= seq;
    problems.push(why);
  };
  for (;;) {
    const rows: (AuditEventRow & { stored: Buffer | null })[] = await dataSource.query(
      `SELECT e.seq, e.at, e.type, e.actor, e.order_id, e.platform_id, e.data, n.hash AS stored
       FROM audit_events e LEFT JOIN audit_tree_nodes n ON n.level = 0 AND n.idx = e.seq - 1
       WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
      [tree.size, BATCH],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== tree.size + 1) {
        bad(tree.size + 1, `event ${tree.size + 1} is missing (the next is ${seq})`);
        return { ok: false, events: tree.size, checkpoints: 0, firstBadSeq, problems };
      }
      const leaf = eventLeafHash(eventView(row));
      if (row.stored && !row.stored.equals(leaf)) {
        bad(
          seq,
          `event ${seq} (${row.type}) does not match the tree: its leaf is ${leaf.toString('hex')}, the tree holds ${row.stored.toString('hex')}`,
        );
      }
      tree.append(leaf);
    }
    if (rows.length < BATCH) break;
  }
  const checked = checkCheckpoints(tree, checkpoints, keyFor, problems);
  return { ok: problems.length === 0, events: tree.size, checkpoints: checked, ...(firstBadSeq ? { firstBadSeq } : {}), problems };
}

/**
 * Offline: an export (NDJSON, from seq 1), a checkpoint and the public key. Each line's leaf is
 * recomputed and compared with its `leafHash`; the tree of the first `size` events must give
 * the checkpoint's root, and the signature must verify.
 */
export function verifyExport(lines: Iterable<string>, checkpoint: Checkpoint, publicKey: KeyObject): VerifyReport {
  const tree = new MemoryTree();
  const problems: string[] = [];
  let firstBadSeq: number | undefined;
  let lineNo = 0;
  for (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let event: AuditEventView & { leafHash?: string };
    try {
      event = JSON.parse(line);
    } catch {
      problems.push(`line ${lineNo} is not JSON`);
      return { ok: false, events: tree.size, checkpoints: 0, problems };
    }
    if (event.seq !== tree.size + 1) {
      problems.push(
        `line ${lineNo}: expected event ${tree.size + 1}, found ${String(event.seq)} (the export must start at 1, without gaps)`,
      );
      return { ok: false, events: tree.size, checkpoints: 0, firstBadSeq: tree.size + 1, problems };
    }
    const { leafHash: claimed, ...view } = event;
    const leaf = eventLeafHash(view);
    if (claimed !== leaf.toString('hex')) {
      firstBadSeq ??= event.seq;
      problems.push(`event ${event.seq} (${event.type}) does not match its leafHash`);
    }
    tree.append(leaf);
  }
  checkCheckpoints(tree, [checkpoint], () => publicKey, problems);
  const rootDiffers = tree.size >= checkpoint.size && tree.root(checkpoint.size).toString('hex') !== checkpoint.rootHash;
  if (firstBadSeq === undefined && rootDiffers) {
    problems.push('the events are consistent with their leaf hashes, but not with the signed root: the export was rewritten');
  }
  return { ok: problems.length === 0, events: tree.size, checkpoints: 1, ...(firstBadSeq ? { firstBadSeq } : {}), problems };
}

function checkCheckpoints(
  tree: MemoryTree,
  checkpoints: Checkpoint[],
  keyFor: (keyId: string) => KeyObject | undefined,
  problems: string[],
): number {
  let checked = 0;
  for (const c of checkpoints) {
    const key = keyFor(c.keyId);
    if (!key) problems.push(`checkpoint ${c.size}: unknown key id ${c.keyId}`);
    else if (!verifyCheckpoint(c, key)) problems.push(`checkpoint ${c.size}: the signature does not verify`);
    if (c.size > tree.size) {
      problems.push(`checkpoint ${c.size}: only ${tree.size} events to check it against`);
      continue;
    }
    if (tree.root(c.size).toString('hex') !== c.rootHash) problems.push(`checkpoint ${c.size}: the events do not give its root`);
    checked++;
  }
  return checked;
}
