import { generateKeyPairSync } from 'node:crypto';
import { cosignatureLine, cosignatureMessage, cosignatureTimestamp, verifyCosignature } from './cosignature';
import { MemoryTree, inclusionProof, leafHash } from './merkle';
import { COSIGNATURE_V1, checkpointText, noteKeyId, parseVerifierKey, rawEd25519, signNote, splitNote, verifierKey } from './signed-note';
import { type InclusionBundle, TransparencyError, eventLeafHash, verifyCheckpointNote, verifyInclusionBundle } from './verify';

/** c2sp.org/tlog-cosignature § Format: the spec's example, a log signature and one witness cosignature. */
const SPEC_COSIGNED =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

const ORIGIN = 'ostracon.example/audit-log';

function parties() {
  const log = generateKeyPairSync('ed25519');
  const w1 = generateKeyPairSync('ed25519');
  const w2 = generateKeyPairSync('ed25519');
  return {
    log,
    w1,
    w2,
    logKey: verifierKey(ORIGIN, log.publicKey),
    w1Key: verifierKey('witness.example/w1', w1.publicKey, COSIGNATURE_V1),
    w2Key: verifierKey('witness.example/w2', w2.publicKey, COSIGNATURE_V1),
  };
}

/** A log of `n` events, its checkpoint note signed by the log and cosigned by the witnesses given. */
function cosignedTree(p: ReturnType<typeof parties>, n: number, witnesses: ('w1' | 'w2')[]) {
  const tree = new MemoryTree();
  const events = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    at: '2026-12-02T12:00:00.000Z',
    type: 'order.created',
    actor: 'test',
    data: { i },
  }));
  for (const e of events) tree.append(eventLeafHash(e));
  const text = checkpointText(ORIGIN, n, tree.root(n));
  let note = signNote(text, ORIGIN, p.log.privateKey, p.log.publicKey);
  for (const w of witnesses) note += cosignatureLine(text, `witness.example/${w}`, p[w].privateKey, p[w].publicKey, 1_796_000_000);
  return { tree, events, text, note };
}

describe('cosignatures (c2sp.org/tlog-cosignature)', () => {
  it("reads the spec's example cosignature: a 0x04 key id, its timestamp (the spec's 'time 1679315147'), 64 signature bytes", () => {
    const { signatures } = splitNote(SPEC_COSIGNED);
    const witness = signatures[1]!;
    expect(witness.name).toBe('witness.example.com/w1');
    expect(witness.keyId).toBe(0x8d66cf3f);
    expect(witness.signature).toHaveLength(72);
    expect(cosignatureTimestamp(witness)).toBe(1679315147);
  });

  it("signs the spec's message layout: cosignature/v1, the time line, then the note text", () => {
    const text = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(cosignatureMessage(text, 1679315147).toString()).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it('computes the key id over 0x04, not 0x01, and verifies what it signs; another text or key does not', () => {
    const p = parties();
    const w = parseVerifierKey(p.w1Key);
    expect(w.type).toBe(COSIGNATURE_V1);
    expect(w.keyId).toBe(noteKeyId('witness.example/w1', rawEd25519(p.w1.publicKey), COSIGNATURE_V1));
    expect(w.keyId).not.toBe(noteKeyId('witness.example/w1', rawEd25519(p.w1.publicKey)));
    const text = checkpointText(ORIGIN, 3, Buffer.alloc(32, 1));
    const line = cosignatureLine(text, 'witness.example/w1', p.w1.privateKey, p.w1.publicKey, 1_800_000_000);
    const [s] = splitNote(`${text}\n${line}`).signatures;
    expect(verifyCosignature(text, s!, w)).toBe(1_800_000_000);
    expect(() => verifyCosignature(checkpointText(ORIGIN, 4, Buffer.alloc(32, 1)), s!, w)).toThrow('does not verify');
    expect(() => verifyCosignature(text, s!, parseVerifierKey(p.w2Key))).toThrow('is not one of witness');
    expect(() => cosignatureLine(text, 'witness.example/w1', p.w1.privateKey, p.w1.publicKey, 0)).toThrow('positive');
  });
});

describe('verifyCheckpointNote: the log, the origin, the witnesses, the quorum', () => {
  const p = parties();
  const { note, tree } = cosignedTree(p, 5, ['w1', 'w2']);
  const policy = { log: p.logKey, witnesses: [p.w1Key, p.w2Key], quorum: 2 };

  const problem = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(TransparencyError);
      return [(error as TransparencyError).problem, (error as Error).message];
    }
    throw new Error('accepted');
  };

  it('accepts a note the log signed and a quorum cosigned, and says by whom', () => {
    const c = verifyCheckpointNote(note, policy);
    expect([c.origin, c.size, c.rootHash.equals(tree.root(5))]).toEqual([ORIGIN, 5, true]);
    expect(c.witnessedBy).toEqual([
      { name: 'witness.example/w1', timestamp: 1_796_000_000 },
      { name: 'witness.example/w2', timestamp: 1_796_000_000 },
    ]);
  });

  it('ignores signatures of keys it does not know (another witness, another log)', () => {
    const stranger = generateKeyPairSync('ed25519');
    const text = splitNote(note).text;
    const extra = cosignatureLine(text, 'witness.example/stranger', stranger.privateKey, stranger.publicKey, 1_796_000_001);
    expect(verifyCheckpointNote(note + extra, policy).witnessedBy).toHaveLength(2);
  });

  it('counts one key under two names (a cosignature does not commit to the name) once toward the quorum', () => {
    const { note: once, text } = cosignedTree(p, 5, ['w1']);
    const alias = verifierKey('witness.example/alias', p.w1.publicKey, COSIGNATURE_V1);
    const relabelled = once + cosignatureLine(text, 'witness.example/alias', p.w1.privateKey, p.w1.publicKey, 1_796_000_000);
    expect(verifyCheckpointNote(relabelled, { log: p.logKey, witnesses: [p.w1Key, alias], quorum: 1 }).witnessedBy).toHaveLength(1);
    expect(() => verifyCheckpointNote(relabelled, { log: p.logKey, witnesses: [p.w1Key, alias], quorum: 2 })).toThrow('2 are needed');
    // The same line twice is one witness too.
    const twice = once + once.slice(once.lastIndexOf('— witness.example/w1'));
    expect(() => verifyCheckpointNote(twice, { ...policy, quorum: 2 })).toThrow('cosigned by 1');
  });

  it('refuses a tampered note (the size changed): the log signature does not verify', () => {
    expect(problem(() => verifyCheckpointNote(note.replace(`${ORIGIN}\n5\n`, `${ORIGIN}\n6\n`), policy))).toEqual([
      'log_signature',
      expect.stringContaining('does not verify'),
    ]);
  });

  it('refuses a note signed by another key than the log’s', () => {
    const other = generateKeyPairSync('ed25519');
    expect(problem(() => verifyCheckpointNote(note, { ...policy, log: verifierKey(ORIGIN, other.publicKey) }))).toEqual([
      'log_signature',
      expect.stringContaining("no signature of the log's key"),
    ]);
  });

  it('refuses a checkpoint of another origin, even signed by a key of that name', () => {
    const elsewhere = generateKeyPairSync('ed25519');
    const text = checkpointText('other.example/log', 5, tree.root(5));
    const foreign = signNote(text, 'other.example/log', elsewhere.privateKey, elsewhere.publicKey);
    expect(
      problem(() =>
        verifyCheckpointNote(foreign, { ...policy, log: verifierKey('other.example/log', elsewhere.publicKey), origin: ORIGIN }),
      ),
    ).toEqual(['origin', expect.stringContaining('other.example/log')]);
  });

  it("refuses a trusted witness's cosignature that does not verify, instead of skipping it", () => {
    const lines = note.split('\n');
    const bad = lines
      .map((l) => (l.startsWith('— witness.example/w2 ') ? l.slice(0, -6) + (l.endsWith('AAAA==') ? 'BBBB==' : 'AAAA==') : l))
      .join('\n');
    expect(problem(() => verifyCheckpointNote(bad, policy))[0]).toBe('cosignature');
  });

  it('refuses a note below the quorum, saying how many cosigned', () => {
    const { note: once } = cosignedTree(p, 5, ['w1']);
    expect(problem(() => verifyCheckpointNote(once, policy))).toEqual(['quorum', 'cosigned by 1 of the trusted witnesses; 2 are needed']);
    expect(verifyCheckpointNote(once, { ...policy, quorum: 1 }).witnessedBy).toHaveLength(1);
  });

  it('refuses malformed notes and policies', () => {
    expect(problem(() => verifyCheckpointNote('not a note', policy))[0]).toBe('malformed');
    expect(problem(() => verifyCheckpointNote(note, { ...policy, quorum: 3 }))[0]).toBe('malformed');
    expect(problem(() => verifyCheckpointNote(note, { ...policy, witnesses: [p.logKey] }))[0]).toBe('malformed');
  });
});

describe('verifyInclusionBundle: one event, checked offline', () => {
  const p = parties();
  const { note, tree, events } = cosignedTree(p, 11, ['w1', 'w2']);
  const policy = { log: p.logKey, witnesses: [p.w1Key, p.w2Key], quorum: 2 };
  const bundleOf = (seq: number): InclusionBundle => ({
    seq,
    leafIndex: seq - 1,
    size: 11,
    leafHash: tree.subtree(0, seq - 1).toString('hex'),
    rootHash: tree.root(11).toString('hex'),
    proof: inclusionProof(tree, seq - 1, 11).map((h) => h.toString('hex')),
    checkpoint: note,
    event: events[seq - 1]!,
  });

  it('accepts every event of the log', () => {
    for (let seq = 1; seq <= 11; seq++) expect(verifyInclusionBundle(bundleOf(seq), policy).size).toBe(11);
  });

  it('refuses a changed event, a wrong proof, another checkpoint, a checkpoint below the quorum', () => {
    const changed = bundleOf(4);
    changed.event = { ...changed.event!, data: { i: 99 } };
    expect(() => verifyInclusionBundle(changed, policy)).toThrow('the event is not the leaf');
    const wrongProof = bundleOf(4);
    wrongProof.proof[0] = leafHash(Buffer.from('x')).toString('hex');
    expect(() => verifyInclusionBundle(wrongProof, policy)).toThrow('does not lead to the checkpoint');
    const other = cosignedTree(p, 12, ['w1', 'w2']);
    expect(() => verifyInclusionBundle({ ...bundleOf(4), checkpoint: other.note }, policy)).toThrow('the proof is for a tree of 11');
    expect(() => verifyInclusionBundle({ ...bundleOf(4), checkpoint: cosignedTree(p, 11, ['w1']).note }, policy)).toThrow('2 are needed');
  });
});
