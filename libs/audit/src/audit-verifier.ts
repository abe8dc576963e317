import type { KeyObject } from 'node:crypto';
import { type AuditEventRow, type AuditEventView, eventLeafHash, eventView } from './audit-leaf';
import { type Checkpoint, verifyCheckpoint } from './checkpoint';
import { MemoryTree, type TrustPolicy, verifyCheckpointNote } from '@ostracon/platform-sdk/transparency';

export interface VerifyReport {
  ok: boolean;
  events: number;
  checkpoints: number;
  /** Signed notes checked (log signature, root, every cosignature of a trusted witness). */
  notes?: number;
  /** The newest note cosigned by the quorum of trusted witnesses, when notes were checked. */
  newestWitnessed?: { size: number; witnessedBy: string[] } | null;
  /** The first event that does not verify, when one can be named. */
  firstBadSeq?: number;
  problems: string[];
}

/** One stored event and the leaf hash the stored tree holds for it (null when the tree has not reached it). */
export type StoredEventRow = AuditEventRow & { stored: Buffer | null };

/**
 * The events as stored, in seq order from 1: each one's leaf recomputed and compared with the
 * stored tree's; then each checkpoint, and each note when given, against the recomputed tree.
 * A missing event stops the check there.
 */
export async function verifyEventRows(
  rows: AsyncIterable<StoredEventRow> | Iterable<StoredEventRow>,
  checkpoints: Checkpoint[],
  keyFor: (keyId: string) => KeyObject | undefined,
  notes?: { notes: string[]; policy: TrustPolicy },
): Promise<VerifyReport> {
  const tree = new MemoryTree();
  const problems: string[] = [];
  let firstBadSeq: number | undefined;
  const bad = (seq: number, why: string) => {
    firstBadSeq ??= seq;
    problems.push(why);
  };
  for await (const row of rows) {
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
  const checked = checkCheckpoints(tree, checkpoints, keyFor, problems);
  const noted = notes ? checkNotes(tree, notes.notes, notes.policy, problems) : {};
  return {
    ok: problems.length === 0,
    events: tree.size,
    checkpoints: checked,
    ...noted,
    ...(firstBadSeq ? { firstBadSeq } : {}),
    problems,
  };
}

/**
 * Each note: the log's signature, the origin, every cosignature of a trusted witness (a bad one
 * is a problem), its root against the recomputed tree. A note below the quorum is not a problem
 * (witnesses cosign the newest checkpoint, not every one); the newest that reaches it is reported.
 */
function checkNotes(
  tree: MemoryTree,
  notes: readonly string[],
  policy: TrustPolicy,
  problems: string[],
): Pick<VerifyReport, 'notes' | 'newestWitnessed'> {
  let newestWitnessed: VerifyReport['newestWitnessed'] = null;
  let checked = 0;
  for (const note of notes) {
    let c: ReturnType<typeof verifyCheckpointNote>;
    try {
      c = verifyCheckpointNote(note, { ...policy, quorum: 0 });
    } catch (error) {
      problems.push(`checkpoint note ${note.split('\n', 2)[1] ?? '?'}: ${(error as Error).message}`);
      continue;
    }
    checked++;
    if (c.size > tree.size) {
      problems.push(`checkpoint note ${c.size}: only ${tree.size} events to check it against`);
      continue;
    }
    if (!tree.root(c.size).equals(c.rootHash)) problems.push(`checkpoint note ${c.size}: the events do not give its root`);
    else if (c.witnessedBy.length >= (policy.quorum ?? 0) && (newestWitnessed?.size ?? -1) < c.size) {
      newestWitnessed = { size: c.size, witnessedBy: c.witnessedBy.map((w) => w.name) };
    }
  }
  return { notes: checked, newestWitnessed };
}

/**
 * Offline: an export (NDJSON, from seq 1), a checkpoint and the public key. Each line's leaf is
 * recomputed and compared with its `leafHash`; the tree of the first `size` events must give
 * the checkpoint's root, and the signature must verify.
 */
export function verifyExport(lines: Iterable<string>, checkpoint: Checkpoint, publicKey: KeyObject): VerifyReport {
  return replayExport(lines, (tree, problems) => {
    const checked = checkCheckpoints(tree, [checkpoint], () => publicKey, problems);
    return { size: checkpoint.size, rootHex: checkpoint.rootHash, checkpoints: checked };
  });
}

/**
 * Offline, against a signed note instead: the note must verify under the policy (log key,
 * origin, trusted witnesses and their quorum), and the export must give its root.
 */
export function verifyExportAgainstNote(lines: Iterable<string>, note: string, policy: TrustPolicy): VerifyReport {
  let newestWitnessed: VerifyReport['newestWitnessed'] = null;
  const report = replayExport(lines, (tree, problems) => {
    try {
      const c = verifyCheckpointNote(note, policy);
      newestWitnessed = { size: c.size, witnessedBy: c.witnessedBy.map((w) => w.name) };
      if (c.size > tree.size) problems.push(`checkpoint note ${c.size}: only ${tree.size} events to check it against`);
      return { size: c.size, rootHex: c.rootHash.toString('hex'), checkpoints: 0 };
    } catch (error) {
      problems.push(`checkpoint note: ${(error as Error).message}`);
      return null;
    }
  });
  return { ...report, notes: newestWitnessed ? 1 : 0, newestWitnessed };
}

function replayExport(
  lines: Iterable<string>,
  check: (tree: MemoryTree, problems: string[]) => { size: number; rootHex: string; checkpoints: number } | null,
): VerifyReport {
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
  const signed = check(tree, problems);
  const rootDiffers = signed !== null && tree.size >= signed.size && tree.root(signed.size).toString('hex') !== signed.rootHex;
  if (firstBadSeq === undefined && rootDiffers) {
    problems.push('the events are consistent with their leaf hashes, but not with the signed root: the export was rewritten');
  }
  return {
    ok: problems.length === 0,
    events: tree.size,
    checkpoints: signed?.checkpoints ?? 0,
    ...(firstBadSeq ? { firstBadSeq } : {}),
    problems,
  };
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
