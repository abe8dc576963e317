import { generateKeyPairSync } from 'node:crypto';
import { cosignatureLine, cosignatureTimestamp, verifyCosignature } from './cosignature';
import { MemoryTree, inclusionProof } from './merkle';
import {
  COSIGNATURE_V1,
  ED25519,
  type NoteVerifier,
  checkpointText,
  formatSignatureLine,
  isKeyName,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  signNote,
  signatureLine,
  splitNote,
  verifierKey,
} from './signed-note';
import {
  type InclusionBundle,
  TransparencyError,
  type TrustPolicy,
  eventLeafHash,
  verifyCheckpointNote,
  verifyInclusionBundle,
} from './verify';

/*
 * What an auditor's browser, a platform's SDK and a witness are handed comes from elsewhere: each
 * malformed key, note, checkpoint, cosignature and bundle is refused, each with its own reason.
 */

const ORIGIN = 'ostracon.example/audit-log';
const log = generateKeyPairSync('ed25519');
const w1 = generateKeyPairSync('ed25519');
const LOG_VKEY = verifierKey(ORIGIN, log.publicKey);
const W1_VKEY = verifierKey('witness.example/w1', w1.publicKey, COSIGNATURE_V1);
const ROOT = Buffer.alloc(32, 7);
const TEXT = checkpointText(ORIGIN, 5, ROOT);
const SIGNED = signNote(TEXT, ORIGIN, log.privateKey, log.publicKey);
const COSIGNED = SIGNED + cosignatureLine(TEXT, 'witness.example/w1', w1.privateKey, w1.publicKey, 1_796_000_000);

/** A verifier key with its key material (after the second "+", which base64 may contain too) replaced. */
function withMaterial(vkey: string, material: (bytes: Buffer) => Buffer): string {
  const [name, id] = vkey.split('+');
  const b64 = vkey.slice(name!.length + id!.length + 2);
  return `${name}+${id}+${material(Buffer.from(b64, 'base64')).toString('base64')}`;
}

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TransparencyError) return `${error.problem}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('key names and verifier keys (c2sp.org/signed-note)', () => {
  it('takes a non-empty name without spaces, "+" or control characters', () => {
    expect(['example.com/log', 'a', '', 'a b', 'a+b', 'a\u00a0b', 'a\u0001b', 'a\u007fb'].map(isKeyName)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(() => verifierKey('a b', log.publicKey)).toThrow(new Error('a note key name is non-empty, without spaces or "+"'));
  });

  it('reads a verifier key back to its name, id, type and key', () => {
    const v = parseVerifierKey(W1_VKEY);
    expect([v.name, v.type, v.keyId.toString(16).padStart(8, '0')]).toEqual(['witness.example/w1', COSIGNATURE_V1, W1_VKEY.split('+')[1]]);
    expect(v.publicKey.export({ format: 'der', type: 'spki' })).toEqual(w1.publicKey.export({ format: 'der', type: 'spki' }));
  });

  it.each([
    ['no parts', 'nonsense'],
    ['two parts', 'name+01234567'],
    ['an empty name', `+${LOG_VKEY}`],
    ['a name with a space', LOG_VKEY.replace(ORIGIN, 'ostracon example')],
    ['a short id', LOG_VKEY.replace(/\+[0-9a-f]{8}\+/, '+0123456+')],
    ['a long id', LOG_VKEY.replace(/\+([0-9a-f]{8})\+/, '+$100+')],
    ['an id after a letter', LOG_VKEY.replace(/\+([0-9a-f]{7})[0-9a-f]\+/, '+x$1+')],
    ['an upper-case id', LOG_VKEY.replace(/\+([0-9a-f]{8})\+/, (_, id: string) => `+${id.toUpperCase().replace(/^[0-9]/, 'A')}+`)],
  ])('refuses %s as "not a verifier key"', (_name, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(new Error('not a verifier key'));
  });

  it.each([
    ['a key of 31 bytes', (k: string) => withMaterial(k, (b) => b.subarray(0, 32))],
    ['a key of type 0x02', (k: string) => withMaterial(k, (b) => Buffer.concat([Buffer.from([0x02]), b.subarray(1)]))],
    ['base64 that is not canonical', (k: string) => `${k}=`],
  ])('refuses %s as not an Ed25519 or cosignature key', (_name, change) => {
    expect(() => parseVerifierKey(change(LOG_VKEY))).toThrow(new Error('not an Ed25519 (0x01) or cosignature/v1 (0x04) verifier key'));
  });

  it('refuses a key whose id is not its own', () => {
    expect(() => parseVerifierKey(LOG_VKEY.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(
      new Error('the key id does not match the key'),
    );
    // The id covers the type: the log's key announced as a witness's is not the same key.
    const asWitness = withMaterial(LOG_VKEY, (b) => Buffer.concat([Buffer.from([COSIGNATURE_V1]), b.subarray(1)]));
    expect(() => parseVerifierKey(asWitness)).toThrow(new Error('the key id does not match the key'));
  });
});

describe('notes (c2sp.org/signed-note)', () => {
  it('signs only a text that ends in a newline', () => {
    expect(() => signatureLine('no newline', ORIGIN, log.privateKey, log.publicKey)).toThrow(new Error('a note text ends in a newline'));
  });

  it('splits a note into its text and signature lines, a signature being at least a key id and a byte', () => {
    const { text, signatures } = splitNote(`${TEXT}\n${formatSignatureLine('k', 0x01020304, Buffer.from([9]))}`);
    expect(text).toBe(TEXT);
    expect(signatures).toEqual([{ name: 'k', keyId: 0x01020304, signature: Buffer.from([9]) }]);
    // A note whose text is a lone newline splits; the checkpoint reader refuses it next.
    expect(splitNote(`\n\n${formatSignatureLine('k', 1, Buffer.from([9]))}`).text).toBe('\n');
  });

  const line = SIGNED.slice(SIGNED.lastIndexOf('\n\n') + 2, -1);
  it.each([
    ['a control character', SIGNED.replace('\n5\n', '\n5\u0007\n'), 'a note holds no control character but newline'],
    ['a carriage return', SIGNED.replace('\n5\n', '\n5\r\n'), 'a note holds no control character but newline'],
    ['no blank line', SIGNED.replace('\n\n', '\n'), 'a note is a text, a blank line and signature lines'],
    ['no final newline', SIGNED.slice(0, -1), 'a note is a text, a blank line and signature lines'],
    ['a line without the em dash', `${TEXT}\n${line.replace('\u2014', '-')}\n`, 'a signature line is "— <name> <base64>"'],
    ['text before the em dash', `${TEXT}\nx${line}\n`, 'a signature line is "— <name> <base64>"'],
    ['text after the signature', `${TEXT}\n${line} more\n`, 'a signature line is "— <name> <base64>"'],
    ['a name with "+"', `${TEXT}\n${line.replace(ORIGIN, 'a+b')}\n`, 'a signature line is "— <name> <base64>"'],
    ['a signature of four bytes', `${TEXT}\n\u2014 k AAAAAA==\n`, 'a signature is base64 of a key id and bytes'],
    ['base64 that is not canonical', `${TEXT}\n\u2014 k AAAAAAB=\n`, 'a signature is base64 of a key id and bytes'],
  ])('refuses a note with %s', (_name, note, message) => {
    expect(() => splitNote(note)).toThrow(new Error(message));
  });

  const logKey = parseVerifierKey(LOG_VKEY);
  it('opens a note with a known key’s good signature, naming it', () => {
    expect(openNote(SIGNED, [logKey])).toEqual({ text: TEXT, verifiedBy: [ORIGIN] });
  });

  it('knows a key by its type, name and id together, and ignores signatures of keys it does not know', () => {
    const other = generateKeyPairSync('ed25519');
    const unknown = [
      { ...logKey, type: COSIGNATURE_V1 } as NoteVerifier,
      { ...logKey, name: 'someone.else/log' },
      parseVerifierKey(verifierKey(ORIGIN, other.publicKey)),
    ];
    for (const v of unknown) expect(() => openNote(SIGNED, [v])).toThrow(new Error('no signature of a known key'));
  });

  it('refuses a known key’s signature that does not verify', () => {
    expect(() => openNote(SIGNED.replace('\n5\n', '\n6\n'), [logKey])).toThrow(new Error(`the signature of ${ORIGIN} does not verify`));
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  it('writes an origin only if it is a key name', () => {
    expect(() => checkpointText('bad origin', 1, ROOT)).toThrow(new Error('a log origin is non-empty, without spaces or "+"'));
  });

  it('reads the origin, size, root and extension lines', () => {
    expect(parseCheckpointText(`${TEXT}ext one\n`)).toEqual({ origin: ORIGIN, size: 5, rootHash: ROOT, extensions: ['ext one'] });
  });

  const root = ROOT.toString('base64');
  it.each([
    ['no final newline', `${ORIGIN}\n5\n${root}\next`, 'a checkpoint is three lines or more'],
    ['two lines', `${ORIGIN}\n5\n`, 'a checkpoint is three lines or more'],
    ['an empty line', `${ORIGIN}\n5\n${root}\n\next\n`, 'a checkpoint is three lines or more'],
    ['a size with a leading zero', `${ORIGIN}\n05\n${root}\n`, 'the tree size is a decimal number'],
    ['a size past 2^53', `${ORIGIN}\n9007199254740993\n${root}\n`, 'the tree size is a decimal number'],
    ['a root of 31 bytes', `${ORIGIN}\n5\n${Buffer.alloc(31).toString('base64')}\n`, 'the root hash is 32 bytes of base64'],
    ['a root in base64 that is not canonical', `${ORIGIN}\n5\n${root.replace(/=$/, '')}\n`, 'the root hash is 32 bytes of base64'],
  ])('refuses a checkpoint with %s', (_name, text, message) => {
    expect(() => parseCheckpointText(text)).toThrow(new Error(message));
  });
});

describe('cosignatures (c2sp.org/tlog-cosignature)', () => {
  const witness = parseVerifierKey(W1_VKEY);
  const cosig = splitNote(COSIGNED).signatures[1]!;

  it('reads a timestamp from 1 to 2^53 − 1 seconds, and nothing else', () => {
    const at = (t: bigint) => {
      const signature = Buffer.alloc(72);
      signature.writeBigUInt64BE(t);
      return { name: 'w', keyId: 1, signature };
    };
    expect(cosignatureTimestamp(at(1n))).toBe(1);
    expect(cosignatureTimestamp(at(BigInt(Number.MAX_SAFE_INTEGER)))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => cosignatureTimestamp(at(0n))).toThrow(new Error('the cosignature of w has no usable timestamp'));
    expect(() => cosignatureTimestamp(at(BigInt(Number.MAX_SAFE_INTEGER) + 1n))).toThrow(
      new Error('the cosignature of w has no usable timestamp'),
    );
    expect(() => cosignatureTimestamp({ name: 'w', keyId: 1, signature: Buffer.alloc(71, 1) })).toThrow(
      new Error('the cosignature of w is not 72 bytes'),
    );
  });

  it('checks a cosignature only against the witness of that type, name and id', () => {
    expect(verifyCosignature(TEXT, cosig, witness)).toBe(1_796_000_000);
    const notThis = [
      { ...witness, type: ED25519 } as NoteVerifier,
      { ...witness, name: 'witness.example/w2' },
      { ...witness, keyId: witness.keyId ^ 1 },
    ];
    for (const w of notThis) {
      expect(() => verifyCosignature(TEXT, cosig, w)).toThrow(
        new Error(`the signature of witness.example/w1 is not one of witness ${w.name}`),
      );
    }
    expect(() => verifyCosignature(TEXT.replace('\n5\n', '\n6\n'), cosig, witness)).toThrow(
      new Error('the cosignature of witness.example/w1 does not verify'),
    );
  });
});

describe('trust policies and checkpoint notes', () => {
  const policy: TrustPolicy = { log: LOG_VKEY, witnesses: [W1_VKEY], quorum: 1 };

  it('takes keys as verifier key strings or as parsed keys, and says who cosigned', () => {
    const parsed = { log: parseVerifierKey(LOG_VKEY), witnesses: [parseVerifierKey(W1_VKEY)], quorum: 1 };
    expect(verifyCheckpointNote(COSIGNED, parsed)).toMatchObject({ origin: ORIGIN, size: 5, rootHash: ROOT, text: TEXT });
    expect(verifyCheckpointNote(COSIGNED, policy).witnessedBy).toEqual([{ name: 'witness.example/w1', timestamp: 1_796_000_000 }]);
  });

  it.each([
    ['no log key', { log: [] }, "the log's keys are 0x01 (Ed25519 note) verifier keys of one name"],
    ['a witness key as the log’s', { log: W1_VKEY }, "the log's keys are 0x01 (Ed25519 note) verifier keys of one name"],
    [
      'log keys of two names',
      { log: [LOG_VKEY, verifierKey('other.example/log', log.publicKey)] },
      "the log's keys are 0x01 (Ed25519 note) verifier keys of one name",
    ],
    ['a log key as a witness’s', { log: LOG_VKEY, witnesses: [LOG_VKEY] }, "a witness's key is a 0x04 (cosignature/v1) verifier key"],
    ['a fractional quorum', { log: LOG_VKEY, witnesses: [W1_VKEY], quorum: 0.5 }, 'a quorum is between 0 and the 1 witnesses given'],
    ['a negative quorum', { log: LOG_VKEY, witnesses: [W1_VKEY], quorum: -1 }, 'a quorum is between 0 and the 1 witnesses given'],
    ['a quorum above the witnesses', { log: LOG_VKEY, witnesses: [W1_VKEY], quorum: 2 }, 'a quorum is between 0 and the 1 witnesses given'],
  ] as [string, TrustPolicy, string][])('refuses a policy with %s', (_name, bad, message) => {
    expect(problemOf(() => verifyCheckpointNote(COSIGNED, bad))).toBe(`malformed: ${message}`);
  });

  it('names its errors TransparencyError and says what failed', () => {
    try {
      verifyCheckpointNote('not a note', policy);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(TransparencyError);
      expect((error as TransparencyError).name).toBe('TransparencyError');
      expect((error as TransparencyError).problem).toBe('malformed');
      expect((error as Error).message).toBe('not a checkpoint note: a note is a text, a blank line and signature lines');
    }
  });

  it('knows the log’s signature by name and id: a line renamed, or by another key of the name, is not it', () => {
    const renamed = COSIGNED.replace(`\u2014 ${ORIGIN} `, '\u2014 someone.else/log ');
    expect(problemOf(() => verifyCheckpointNote(renamed, policy))).toBe(`log_signature: no signature of the log's key (${ORIGIN})`);
    const other = generateKeyPairSync('ed25519');
    const withOld = COSIGNED + signNote(TEXT, ORIGIN, other.privateKey, other.publicKey).slice(TEXT.length + 1);
    expect(verifyCheckpointNote(withOld, policy).size).toBe(5);
  });

  it('refuses a log signature made with a key that cannot verify it, saying so rather than crashing', () => {
    const x25519 = generateKeyPairSync('x25519');
    const broken = { ...parseVerifierKey(LOG_VKEY), publicKey: x25519.publicKey };
    expect(problemOf(() => verifyCheckpointNote(COSIGNED, { log: broken }))).toBe(
      `log_signature: the log's signature (${ORIGIN}) does not verify`,
    );
  });

  it('knows a witness by name and id: a cosignature under another id or name is not its', () => {
    const witness = parseVerifierKey(W1_VKEY);
    const otherId = { ...witness, keyId: witness.keyId ^ 1 };
    expect(problemOf(() => verifyCheckpointNote(COSIGNED, { log: LOG_VKEY, witnesses: [otherId], quorum: 1 }))).toBe(
      'quorum: cosigned by 0 of the trusted witnesses; 1 are needed',
    );
    const otherName = { ...witness, name: 'witness.example/w9' };
    expect(problemOf(() => verifyCheckpointNote(COSIGNED, { log: LOG_VKEY, witnesses: [otherName], quorum: 1 }))).toBe(
      'quorum: cosigned by 0 of the trusted witnesses; 1 are needed',
    );
  });

  it('counts a witness once under one name, even with two keys (a rotation)', () => {
    const next = generateKeyPairSync('ed25519');
    const nextVkey = verifierKey('witness.example/w1', next.publicKey, COSIGNATURE_V1);
    const both = COSIGNED + cosignatureLine(TEXT, 'witness.example/w1', next.privateKey, next.publicKey, 1_796_000_001);
    const result = verifyCheckpointNote(both, { log: LOG_VKEY, witnesses: [W1_VKEY, nextVkey], quorum: 1 });
    expect(result.witnessedBy).toEqual([{ name: 'witness.example/w1', timestamp: 1_796_000_000 }]);
    expect(problemOf(() => verifyCheckpointNote(both, { log: LOG_VKEY, witnesses: [W1_VKEY, nextVkey], quorum: 2 }))).toBe(
      'quorum: cosigned by 1 of the trusted witnesses; 2 are needed',
    );
  });
});

describe('inclusion bundles', () => {
  const events = Array.from({ length: 6 }, (_, i) => ({
    seq: i + 1,
    at: '2026-12-02T12:00:00.000Z',
    type: 'order.created',
    actor: 'a',
    data: { i },
  }));
  const tree = new MemoryTree(events.map(eventLeafHash));
  const text = checkpointText(ORIGIN, 6, tree.root());
  const note = signNote(text, ORIGIN, log.privateKey, log.publicKey);
  const bundle: InclusionBundle = {
    seq: 3,
    leafIndex: 2,
    size: 6,
    leafHash: eventLeafHash(events[2]!).toString('hex'),
    rootHash: tree.root().toString('hex'),
    proof: inclusionProof(tree, 2, 6).map((h) => h.toString('hex')),
    checkpoint: note,
  };
  const policy = { log: LOG_VKEY };

  it('checks a bundle without its event, and one with it', () => {
    expect(verifyInclusionBundle(bundle, policy).size).toBe(6);
    expect(verifyInclusionBundle({ ...bundle, event: { ...events[2]!, leafHash: bundle.leafHash } }, policy).size).toBe(6);
  });

  it('refuses an event whose seq is not the bundle’s, even when the log put that event at the bundle’s leaf', () => {
    // A log that placed event 2 at leaf 0: its leaf and proof are genuine, its seq is not 1.
    const misplaced = { ...events[1]! };
    const tiny = new MemoryTree([eventLeafHash(misplaced)]);
    const tinyNote = signNote(checkpointText(ORIGIN, 1, tiny.root()), ORIGIN, log.privateKey, log.publicKey);
    const claim: InclusionBundle = {
      seq: 1,
      leafIndex: 0,
      size: 1,
      leafHash: eventLeafHash(misplaced).toString('hex'),
      rootHash: tiny.root().toString('hex'),
      proof: [],
      checkpoint: tinyNote,
      event: misplaced,
    };
    expect(problemOf(() => verifyInclusionBundle(claim, policy))).toBe('leaf: the event is not the leaf the proof is for');
  });

  it.each([
    ['a size the checkpoint is not of', { size: 5 }, 'size: the proof is for a tree of 5, the checkpoint is of 6 with another root'],
    [
      'a root the checkpoint does not hold',
      { rootHash: '00'.repeat(32) },
      'size: the proof is for a tree of 6, the checkpoint is of 6 with another root',
    ],
    ['a leaf hash that is not hex', { leafHash: 'zz'.repeat(32) }, 'malformed: a bundle holds hex hashes and the leaf index seq − 1'],
    [
      'a leaf hash with a byte more',
      { leafHash: `${bundle.leafHash}00` },
      'malformed: a bundle holds hex hashes and the leaf index seq − 1',
    ],
    [
      'a leaf hash after a letter',
      { leafHash: `x${bundle.leafHash.slice(1)}` },
      'malformed: a bundle holds hex hashes and the leaf index seq − 1',
    ],
    [
      'a proof hash that is not hex',
      { proof: [...bundle.proof.slice(1), 'x'] },
      'malformed: a bundle holds hex hashes and the leaf index seq − 1',
    ],
    ['a leaf index other than seq − 1', { leafIndex: 3 }, 'malformed: a bundle holds hex hashes and the leaf index seq − 1'],
    ['an event of another seq', { event: { ...events[2]!, seq: 4 } }, 'leaf: the event is not the leaf the proof is for'],
    ['an event that is not the leaf', { event: { ...events[2]!, actor: 'b' } }, 'leaf: the event is not the leaf the proof is for'],
    [
      'a proof that does not lead to the root',
      { proof: [...bundle.proof].reverse() },
      "inclusion: the inclusion proof of event 3 does not lead to the checkpoint's root",
    ],
  ] as [string, Partial<InclusionBundle>, string][])('refuses %s', (_name, change, problem) => {
    expect(problemOf(() => verifyInclusionBundle({ ...bundle, ...change }, policy))).toBe(problem);
  });
});
