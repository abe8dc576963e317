import { generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { cosignatureLine } from './cosignature';
import { EVIDENCE_FORMAT, type EvidenceBundle, verifyEvidence } from './evidence';
import { MemoryTree, inclusionProof, leafHash } from './merkle';
import { COSIGNATURE_V1, checkpointText, parseVerifierKey, signNote, verifierKey } from './signed-note';
import type { AuditEvent } from './verify';

/**
 * verifyEvidence on bundles built here, with a log and a witness of the test's own: what the API
 * never serves (an unconfirmed review, events of two orders) must fail too. The served file is
 * checked end to end in test/evidence-bundle.e2e-spec.ts.
 */
const ORIGIN = 'ostracon.example/audit-log';
const ORDER = '01900000-0000-7000-8000-000000000001';
const MATCH = '01900000-0000-7000-8000-000000000002';

const log = generateKeyPairSync('ed25519');
const witness = generateKeyPairSync('ed25519');
const logKey = verifierKey(ORIGIN, log.publicKey);
const witnessKey = verifierKey('witness.example/w1', witness.publicKey, COSIGNATURE_V1);
const hex = (id: number) => id.toString(16).padStart(8, '0');

function event(seq: number, type: string, data: Record<string, unknown>, orderId = ORDER): AuditEvent {
  return { seq, at: `2026-12-07T10:00:0${seq % 10}.000Z`, type, actor: 'client:x', orderId, platform: 'tiktok', data };
}

/** A log of six events (the three at seq 2, 4, 5), its checkpoint cosigned by the witness, and the bundle. */
function bundle(overrides: { review?: Record<string, unknown>; matchOrder?: string } = {}): EvidenceBundle {
  const events = [
    event(1, 'client.created', {}),
    event(2, 'order.created', { offence: 'cyberharassment' }),
    event(3, 'audit.read', {}),
    event(4, 'signup.matched', { matchId: MATCH, decision: 'block' }, overrides.matchOrder),
    event(5, 'signup_match.reviewed', { matchId: MATCH, outcome: 'confirmed', ...overrides.review }),
    event(6, 'evidence.exported', {}),
  ];
  const leaves = events.map((e) => canonicalize(e)!);
  const tree = new MemoryTree(leaves.map((l) => leafHash(Buffer.from(l, 'utf8'))));
  const text = checkpointText(ORIGIN, tree.size, tree.root());
  const note =
    signNote(text, ORIGIN, log.privateKey, log.publicKey) +
    cosignatureLine(text, 'witness.example/w1', witness.privateKey, witness.publicKey, 1_765_100_000);
  const proven = (seq: number) => ({
    seq,
    index: seq - 1,
    leaf: leaves[seq - 1]!,
    leafHash: leafHash(Buffer.from(leaves[seq - 1]!, 'utf8')).toString('hex'),
    proof: inclusionProof(tree, seq - 1, tree.size).map((h) => h.toString('hex')),
  });
  return {
    format: EVIDENCE_FORMAT,
    orderId: ORDER,
    matchId: MATCH,
    events: { order: proven(2), match: proven(4), confirmation: proven(5) },
    checkpoint: {
      origin: ORIGIN,
      size: tree.size,
      rootHash: tree.root().toString('hex'),
      note,
      log: { keyId: hex(parseVerifierKey(logKey).keyId), verifierKey: logKey },
      witnesses: [{ name: 'witness.example/w1', keyId: hex(parseVerifierKey(witnessKey).keyId), verifierKey: witnessKey }],
    },
  };
}

const trust = { logKey, witnessKeys: [witnessKey], quorum: 1 };
const checks = (b: unknown) => verifyEvidence(b, trust).problems.map((p) => p.check);

describe('verifyEvidence', () => {
  it('verifies a bundle of three events proven to one cosigned checkpoint, as an object or as its canonical file', () => {
    expect(verifyEvidence(bundle(), trust)).toMatchObject({
      ok: true,
      problems: [],
      checkpoint: { size: 6, witnessedBy: ['witness.example/w1'] },
    });
    expect(verifyEvidence(canonicalize(bundle())!, trust).ok).toBe(true);
    // The file must be the canonical form: the same bundle pretty-printed is refused.
    expect(verifyEvidence(JSON.stringify(bundle(), null, 2), trust).problems.map((p) => p.check)).toEqual(['format']);
  });

  it('refuses a review that does not say "confirmed", though every proof holds', () => {
    expect(checks(bundle({ review: { outcome: 'not_same_person' } }))).toEqual(['confirmed']);
    expect(checks(bundle({ review: { outcome: 'unknown' } }))).toEqual(['confirmed']);
  });

  it('refuses events that are not of one order and one match', () => {
    expect(checks(bundle({ matchOrder: '01900000-0000-7000-8000-000000000009' }))).toEqual(['same_order']);
    expect(checks(bundle({ review: { matchId: '01900000-0000-7000-8000-000000000003' } }))).toEqual(['same_order']);
    const swapped = bundle();
    [swapped.events.match, swapped.events.confirmation] = [swapped.events.confirmation, swapped.events.match];
    expect(checks(swapped)).toContain('same_order');
  });

  it('names the check that fails, and never throws on a bad bundle', () => {
    expect(checks({})).toEqual(['format']);
    expect(checks('not json')).toEqual(['format']);
    const extra = { ...bundle(), note: 'x' };
    expect(checks(extra)).toEqual(['format']);
    const wrongIndex = bundle();
    wrongIndex.events.order.index = 2;
    expect(checks(wrongIndex)).toEqual(expect.arrayContaining(['leaf', 'inclusion']));
    const unsigned = bundle();
    unsigned.checkpoint.note = unsigned.checkpoint.note
      .split('\n')
      .filter((l) => !l.startsWith(`— ${ORIGIN} `))
      .join('\n');
    expect(checks(unsigned)).toContain('log_signature');
    const unnamed = bundle();
    unnamed.checkpoint.witnesses = [];
    expect(checks(unnamed)).toEqual(['checkpoint', 'quorum']);
  });

  it('takes the trust from its caller: another log key fails, a quorum of zero needs no witness', () => {
    const other = verifierKey(ORIGIN, generateKeyPairSync('ed25519').publicKey);
    expect(verifyEvidence(bundle(), { ...trust, logKey: other }).problems.map((p) => p.check)).toContain('log_signature');
    expect(verifyEvidence(bundle(), { logKey, witnessKeys: [], quorum: 0 }).ok).toBe(true);
    expect(() => verifyEvidence(bundle(), { logKey, witnessKeys: [witnessKey], quorum: 2 })).toThrow(/quorum/);
  });
});
