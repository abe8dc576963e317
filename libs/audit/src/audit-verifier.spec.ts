import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type StoredEventRow, verifyEventRows, verifyExport, verifyExportAgainstNote } from './audit-verifier';
import { type Checkpoint, checkpointMessage } from './checkpoint';
import {
  COSIGNATURE_V1,
  MemoryTree,
  type TrustPolicy,
  checkpointText,
  cosignatureLine,
  eventLeafHash,
  signNote,
  verifierKey,
} from '@ostracon/platform-sdk/transparency';
import { eventView } from './audit-leaf';

const ORIGIN = 'ostracon.example/audit-log';
const log = generateKeyPairSync('ed25519');
const witness = generateKeyPairSync('ed25519');
const policy: TrustPolicy = {
  log: verifierKey(ORIGIN, log.publicKey),
  witnesses: [verifierKey('witness.example/w1', witness.publicKey, COSIGNATURE_V1)],
  quorum: 1,
};

/** `n` stored events as the database gives them, each with the leaf the stored tree holds. */
function storedRows(n: number): StoredEventRow[] {
  return Array.from({ length: n }, (_, i) => {
    const row = {
      seq: String(i + 1),
      at: new Date(Date.UTC(2026, 11, 2, 12, 0, i)),
      type: i % 2 ? 'order.created' : 'directive.confirmed',
      actor: 'authority:paris',
      order_id: i % 3 ? null : '00000000-0000-4000-8000-000000000001',
      platform_id: i % 2 ? 'tiktok' : null,
      data: { i },
    };
    return { ...row, stored: eventLeafHash(eventView(row)) };
  });
}

function treeOf(rows: readonly StoredEventRow[]): MemoryTree {
  const tree = new MemoryTree();
  for (const row of rows) tree.append(eventLeafHash(eventView(row)));
  return tree;
}

function checkpoint(tree: MemoryTree, size: number, key: KeyObject = log.privateKey, keyId = 'k1'): Checkpoint {
  const unsigned = { size, rootHash: tree.root(size).toString('hex'), timestamp: '2026-12-02T12:00:00.000Z' };
  return { ...unsigned, keyId, signature: sign(null, checkpointMessage(unsigned), key).toString('base64') };
}

function note(tree: MemoryTree, size: number, cosigned: boolean): string {
  const text = checkpointText(ORIGIN, size, tree.root(size));
  const signed = signNote(text, ORIGIN, log.privateKey, log.publicKey);
  return cosigned ? signed + cosignatureLine(text, 'witness.example/w1', witness.privateKey, witness.publicKey, 1_796_000_000) : signed;
}

const keys = (id: string) => (id === 'k1' ? log.publicKey : undefined);

function exportOf(rows: readonly StoredEventRow[]): string[] {
  return rows.map((row) => {
    const view = eventView(row);
    return JSON.stringify({ ...view, leafHash: eventLeafHash(view).toString('hex') });
  });
}

describe('verifyEventRows (audit:verify against the database)', () => {
  it('passes a log whose events give the stored tree and every checkpoint, counting what it checked', async () => {
    const rows = storedRows(7);
    const tree = treeOf(rows);
    const report = await verifyEventRows(rows, [checkpoint(tree, 3), checkpoint(tree, 7)], keys);
    expect(report).toEqual({ ok: true, events: 7, checkpoints: 2, problems: [] });
  });

  it('reads the rows as they come, from an async source too, and accepts events the tree has not reached yet', async () => {
    const rows = storedRows(4).map((r, i) => (i === 3 ? { ...r, stored: null } : r));
    async function* source() {
      yield* rows;
    }
    const report = await verifyEventRows(source(), [checkpoint(treeOf(rows), 4)], keys);
    expect(report).toMatchObject({ ok: true, events: 4, checkpoints: 1 });
  });

  it('stops at a missing event and names it', async () => {
    const rows = storedRows(5).filter((r) => r.seq !== '3');
    const report = await verifyEventRows(rows, [checkpoint(treeOf(storedRows(5)), 5)], keys);
    expect(report).toEqual({ ok: false, events: 2, checkpoints: 0, firstBadSeq: 3, problems: ['event 3 is missing (the next is 4)'] });
  });

  it('names an event that the stored tree does not hold, and the first of several', async () => {
    const rows = storedRows(5);
    rows[1] = { ...rows[1]!, data: { i: 'changed' } };
    rows[3] = { ...rows[3]!, data: { i: 'changed' } };
    const report = await verifyEventRows(rows, [], keys);
    expect(report.ok).toBe(false);
    expect(report.firstBadSeq).toBe(2);
    expect(report.problems).toHaveLength(2);
    expect(report.problems[0]).toBe(
      `event 2 (order.created) does not match the tree: its leaf is ${eventLeafHash(eventView(rows[1]!)).toString('hex')}, the tree holds ${rows[1]!.stored!.toString('hex')}`,
    );
    expect(report.problems[1]).toMatch(/^event 4 \(order\.created\) does not match the tree/);
  });

  it('refuses a checkpoint by an unknown key, with a bad signature, beyond the log, or with another root', async () => {
    const rows = storedRows(4);
    const tree = treeOf(rows);
    const other = treeOf(storedRows(4).map((r) => ({ ...r, actor: 'someone else' })));
    const forged = { ...checkpoint(tree, 2), signature: checkpoint(tree, 1).signature };
    const report = await verifyEventRows(
      rows,
      [checkpoint(tree, 1, log.privateKey, 'k9'), forged, checkpoint(treeOf(storedRows(6)), 6), checkpoint(other, 3), checkpoint(tree, 4)],
      keys,
    );
    expect(report.problems).toEqual([
      'checkpoint 1: unknown key id k9',
      'checkpoint 2: the signature does not verify',
      'checkpoint 6: only 4 events to check it against',
      'checkpoint 3: the events do not give its root',
    ]);
    expect(report).toMatchObject({ ok: false, events: 4, checkpoints: 4 });
    expect(report).not.toHaveProperty('firstBadSeq');
  });

  it('checks every note and reports the newest one the quorum cosigned', async () => {
    const rows = storedRows(6);
    const tree = treeOf(rows);
    const notes = [note(tree, 2, true), note(tree, 5, true), note(tree, 6, false), note(tree, 3, true)];
    const report = await verifyEventRows(rows, [], keys, { notes, policy });
    expect(report).toEqual({
      ok: true,
      events: 6,
      checkpoints: 0,
      notes: 4,
      newestWitnessed: { size: 5, witnessedBy: ['witness.example/w1'] },
      problems: [],
    });
  });

  it('reports a note that does not verify, one beyond the log and one with another root, and none witnessed', async () => {
    const rows = storedRows(4);
    const tree = treeOf(rows);
    const other = treeOf(storedRows(4).map((r) => ({ ...r, actor: 'someone else' })));
    const tampered = note(tree, 2, true).replace(`\n2\n`, '\n1\n');
    const notes = [tampered, note(treeOf(storedRows(9)), 9, true), note(other, 3, true), 'not a note'];
    const report = await verifyEventRows(rows, [], keys, { notes, policy });
    expect(report.ok).toBe(false);
    expect(report.notes).toBe(2);
    expect(report.newestWitnessed).toBeNull();
    expect(report.problems).toHaveLength(4);
    expect(report.problems[0]).toMatch(/^checkpoint note 1: /);
    expect(report.problems.slice(1, 3)).toEqual([
      'checkpoint note 9: only 4 events to check it against',
      'checkpoint note 3: the events do not give its root',
    ]);
    expect(report.problems[3]).toMatch(/^checkpoint note \?: /);
  });

  it('keeps the first of two notes of one size as the newest witnessed', async () => {
    const rows = storedRows(3);
    const tree = treeOf(rows);
    const w2 = generateKeyPairSync('ed25519');
    const text = checkpointText(ORIGIN, 3, tree.root(3));
    const byW2 =
      signNote(text, ORIGIN, log.privateKey, log.publicKey) +
      cosignatureLine(text, 'witness.example/w2', w2.privateKey, w2.publicKey, 1_796_000_000);
    const both = { ...policy, witnesses: [...policy.witnesses!, verifierKey('witness.example/w2', w2.publicKey, COSIGNATURE_V1)] };
    const report = await verifyEventRows(rows, [], keys, { notes: [note(tree, 3, true), byW2], policy: both });
    expect(report.newestWitnessed).toEqual({ size: 3, witnessedBy: ['witness.example/w1'] });
  });

  it('reports a witnessed note of the very first event', async () => {
    const rows = storedRows(1);
    const report = await verifyEventRows(rows, [], keys, { notes: [note(treeOf(rows), 1, true)], policy });
    expect(report.newestWitnessed).toEqual({ size: 1, witnessedBy: ['witness.example/w1'] });
  });

  it('does not count a note below the quorum as witnessed, and a quorum of none counts every note', async () => {
    const rows = storedRows(3);
    const tree = treeOf(rows);
    const below = await verifyEventRows(rows, [], keys, { notes: [note(tree, 3, false)], policy });
    expect(below).toMatchObject({ ok: true, notes: 1, newestWitnessed: null });
    const none = await verifyEventRows(rows, [], keys, { notes: [note(tree, 3, false)], policy: { ...policy, quorum: undefined } });
    expect(none.newestWitnessed).toEqual({ size: 3, witnessedBy: [] });
  });
});

describe('verifyExport (audit:verify --export, offline)', () => {
  it('passes an export from 1 that gives the signed root, skipping blank lines', () => {
    const rows = storedRows(5);
    const lines = exportOf(rows);
    lines.splice(2, 0, '', '  ');
    expect(verifyExport(lines, checkpoint(treeOf(rows), 5), log.publicKey)).toEqual({ ok: true, events: 5, checkpoints: 1, problems: [] });
  });

  it('passes an export longer than the checkpoint when its first events give the root', () => {
    const rows = storedRows(5);
    expect(verifyExport(exportOf(rows), checkpoint(treeOf(rows), 3), log.publicKey)).toMatchObject({ ok: true, events: 5 });
  });

  it('stops at a line that is not JSON, naming its line number', () => {
    const lines = exportOf(storedRows(3));
    lines.splice(1, 0, '{');
    expect(verifyExport(lines, checkpoint(treeOf(storedRows(3)), 3), log.publicKey)).toEqual({
      ok: false,
      events: 1,
      checkpoints: 0,
      problems: ['line 2 is not JSON'],
    });
  });

  it('stops at an export that does not start at 1 or skips an event', () => {
    const lines = exportOf(storedRows(4));
    expect(verifyExport(lines.slice(1), checkpoint(treeOf(storedRows(4)), 4), log.publicKey)).toEqual({
      ok: false,
      events: 0,
      checkpoints: 0,
      firstBadSeq: 1,
      problems: ['line 1: expected event 1, found 2 (the export must start at 1, without gaps)'],
    });
    const gap = verifyExport([lines[0]!, lines[2]!], checkpoint(treeOf(storedRows(4)), 4), log.publicKey);
    expect(gap.problems).toEqual(['line 2: expected event 2, found 3 (the export must start at 1, without gaps)']);
    expect(gap.firstBadSeq).toBe(2);
  });

  it('names an event changed under its leaf hash, and does not also call the export rewritten', () => {
    const rows = storedRows(4);
    const lines = exportOf(rows);
    lines[2] = lines[2]!.replace('"actor":"authority:paris"', '"actor":"authority:lyon"');
    const report = verifyExport(lines, checkpoint(treeOf(rows), 4), log.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 3 });
    expect(report.problems).toEqual([
      'event 3 (directive.confirmed) does not match its leafHash',
      'checkpoint 4: the events do not give its root',
    ]);
  });

  it('calls an export rewritten when its leaf hashes agree with its events but not with the signed root', () => {
    const rows = storedRows(4);
    const rewritten = rows.map((r, i) => (i === 1 ? { ...r, actor: 'authority:lyon' } : r));
    const report = verifyExport(exportOf(rewritten), checkpoint(treeOf(rows), 4), log.publicKey);
    expect(report.problems).toEqual([
      'checkpoint 4: the events do not give its root',
      'the events are consistent with their leaf hashes, but not with the signed root: the export was rewritten',
    ]);
    expect(report).not.toHaveProperty('firstBadSeq');
  });

  it('refuses a checkpoint signed by another key, and one beyond the export', () => {
    const rows = storedRows(3);
    const other = generateKeyPairSync('ed25519');
    expect(verifyExport(exportOf(rows), checkpoint(treeOf(rows), 3, other.privateKey), log.publicKey).problems).toEqual([
      'checkpoint 3: the signature does not verify',
    ]);
    const beyond = verifyExport(exportOf(rows.slice(0, 2)), checkpoint(treeOf(rows), 3), log.publicKey);
    expect(beyond).toMatchObject({ ok: false, events: 2, checkpoints: 0, problems: ['checkpoint 3: only 2 events to check it against'] });
  });
});

describe('verifyExportAgainstNote (audit:verify --export --note, offline)', () => {
  it('passes an export that gives the cosigned note’s root, and says who witnessed it', () => {
    const rows = storedRows(5);
    const report = verifyExportAgainstNote(exportOf(rows), note(treeOf(rows), 4, true), policy);
    expect(report).toEqual({
      ok: true,
      events: 5,
      checkpoints: 0,
      notes: 1,
      newestWitnessed: { size: 4, witnessedBy: ['witness.example/w1'] },
      problems: [],
    });
  });

  it('refuses a note below the quorum, and one whose root the export does not give', () => {
    const rows = storedRows(3);
    const below = verifyExportAgainstNote(exportOf(rows), note(treeOf(rows), 3, false), policy);
    expect(below).toMatchObject({ ok: false, notes: 0, newestWitnessed: null });
    expect(below.problems).toHaveLength(1);
    expect(below.problems[0]).toMatch(/^checkpoint note: /);
    const rewritten = rows.map((r, i) => (i === 0 ? { ...r, actor: 'authority:lyon' } : r));
    const other = verifyExportAgainstNote(exportOf(rewritten), note(treeOf(rows), 3, true), policy);
    expect(other.problems).toEqual([
      'the events are consistent with their leaf hashes, but not with the signed root: the export was rewritten',
    ]);
  });

  it('refuses a note beyond the export', () => {
    const rows = storedRows(3);
    const report = verifyExportAgainstNote(exportOf(rows.slice(0, 2)), note(treeOf(rows), 3, true), policy);
    expect(report).toMatchObject({ ok: false, events: 2, notes: 1, problems: ['checkpoint note 3: only 2 events to check it against'] });
  });
});
