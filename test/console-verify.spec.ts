import { generateKeyPairSync, sign } from 'node:crypto';
import { MemoryTree, consistencyProof, inclusionProof, leafHash, rootHash } from '@ostracon/platform-sdk/transparency';
import canonicalize from 'canonicalize';
import { fingerprint, sameKey, verifyCheckpoint } from '../apps/console/src/verify/checkpoint';
import { eventLeaf, fromHex, rootFromInclusion, toHex, verifyConsistency, verifyInclusion } from '../apps/console/src/verify/merkle';
import { checkNote, readVerifierKey } from '../apps/console/src/verify/note';
import { COSIGNATURE_V1, checkpointText, cosignatureLine, rawEd25519, signNote, verifierKey } from '@ostracon/platform-sdk/transparency';

/**
 * The console's verifier (apps/console/src/verify, whose proof checks are the SDK's browser-safe
 * merkle-verify.ts), which runs in the auditor's browser, against proofs and roots made by the
 * service's tree (libs/audit): they must agree on every honest proof and refuse every altered one.
 * test/support/merkle-verifier.ts stays the tests' own, independent oracle.
 */
describe('the console’s log verifier', () => {
  const leaves = Array.from({ length: 24 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
  const tree = new MemoryTree(leaves);

  it('accepts every inclusion proof of the service, and refuses a wrong leaf, index, proof or root', () => {
    for (let size = 1; size <= leaves.length; size++) {
      const root = rootHash(tree, size);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(tree, i, size);
        expect(verifyInclusion(leaves[i]!, i, size, proof, root)).toBe(true);
        expect(verifyInclusion(leaves[(i + 1) % leaves.length]!, i, size, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaves[i]!, (i + 1) % size, size, proof, root)).toBe(false);
        const altered = proof.map((p, j) => (j === 0 ? Uint8Array.from(p, (b, k) => (k === 0 ? b ^ 1 : b)) : p));
        if (proof.length > 0) expect(verifyInclusion(leaves[i]!, i, size, altered, root)).toBe(false);
        expect(verifyInclusion(leaves[i]!, i, size, proof, rootHash(tree, size === 1 ? 2 : size - 1))).toBe(false);
      }
    }
  });

  it('recomputes, for a report, the root each inclusion proof leads to: the signed one, and another for a wrong leaf', () => {
    for (let size = 1; size <= leaves.length; size++) {
      const root = toHex(rootHash(tree, size));
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(tree, i, size);
        expect(toHex(rootFromInclusion(leaves[i]!, i, size, proof)!)).toBe(root);
        const wrong = rootFromInclusion(leaves[(i + 1) % leaves.length]!, i, size, proof);
        expect(wrong && toHex(wrong)).not.toBe(root);
      }
      expect(rootFromInclusion(leaves[0]!, size, size, [])).toBeNull();
    }
    expect(rootFromInclusion(leaves[0]!, 0, 4, [])).toBeNull();
  });

  it('accepts every consistency proof of the service, and refuses one between a rewritten log and the old root', () => {
    const rewritten = new MemoryTree(leaves.map((l, i) => (i === 3 ? leafHash(Buffer.from('rewritten')) : l)));
    for (let to = 1; to <= leaves.length; to++) {
      for (let from = 1; from <= to; from++) {
        const proof = consistencyProof(tree, from, to);
        expect(verifyConsistency(from, to, rootHash(tree, from), rootHash(tree, to), proof)).toBe(true);
        if (from > 3) {
          // The old root saw event 3 as it was; the rewritten log cannot prove it extends it.
          const forged = consistencyProof(rewritten, from, to);
          expect(verifyConsistency(from, to, rootHash(tree, from), rootHash(rewritten, to), forged)).toBe(false);
        }
      }
    }
    expect(verifyConsistency(5, 4, rootHash(tree, 5), rootHash(tree, 4), [])).toBe(false);
  });

  it('computes an event’s leaf from the event itself (RFC 8785 JSON, without leafHash)', () => {
    const event = { seq: 7, at: '2026-12-02T10:00:00.000Z', type: 'order.created', actor: 'cli', data: { b: 1, a: 'é' } };
    const expected = leafHash(Buffer.from(canonicalize(event)!, 'utf8'));
    expect(toHex(eventLeaf({ ...event, leafHash: 'ff'.repeat(32) }))).toBe(Buffer.from(expected).toString('hex'));
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
    expect(() => fromHex('0G')).toThrow();
  });

  it('verifies a checkpoint’s Ed25519 signature under the pinned key only, and reads keys by their bytes', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const body = { size: 24, rootHash: Buffer.from(rootHash(tree, 24)).toString('hex'), timestamp: '2026-12-02T10:00:00.000Z' };
    const signature = sign(null, Buffer.from(canonicalize(body)!), privateKey).toString('base64');
    const checkpoint = { ...body, keyId: 'audit-1', signature };
    expect(verifyCheckpoint(checkpoint, pem)).toBe(true);
    expect(verifyCheckpoint({ ...checkpoint, size: 25 }, pem)).toBe(false);
    expect(verifyCheckpoint(checkpoint, other.export({ type: 'spki', format: 'pem' }).toString())).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, signature: 'not base64!' }, pem)).toBe(false);
    // The same key wrapped differently is the same key; a PEM that is not an Ed25519 key is unreadable.
    expect(sameKey(pem, pem.replace(/\n/g, '\r\n'))).toBe(true);
    expect(fingerprint('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toBeNull();
    expect(fingerprint(pem)).toMatch(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/);
  });

  it('checks a checkpoint note as the SDK makes it: the log signature under the pinned key, each witness, a forged cosignature', () => {
    const log = generateKeyPairSync('ed25519');
    const w1 = generateKeyPairSync('ed25519');
    const w2 = generateKeyPairSync('ed25519');
    const origin = 'ostracon.example/audit-log';
    const text = checkpointText(origin, 24, rootHash(tree, 24));
    const vkeys = [verifierKey('w.example/1', w1.publicKey, COSIGNATURE_V1), verifierKey('w.example/2', w2.publicKey, COSIGNATURE_V1)];
    expect(readVerifierKey(vkeys[0]!)).toMatchObject({ name: 'w.example/1', type: 4 });
    expect(readVerifierKey(vkeys[0]!.replace('+', '+0'))).toBeNull();
    const note =
      signNote(text, origin, log.privateKey, log.publicKey) +
      cosignatureLine(text, 'w.example/1', w1.privateKey, w1.publicKey, 1_800_000_000) +
      cosignatureLine(text, 'w.example/2', w2.privateKey, w2.publicKey, 1_800_000_001);
    const raw = rawEd25519(log.publicKey);
    expect(checkNote(note, origin, raw, vkeys)).toEqual({
      signed: true,
      size: 24,
      rootHex: rootHash(tree, 24).toString('hex'),
      witnessedBy: ['w.example/1', 'w.example/2'],
      bad: [],
    });
    // Another pinned key, another origin, a cosignature of another text.
    expect(checkNote(note, origin, rawEd25519(w1.publicKey), vkeys)?.signed).toBe(false);
    expect(checkNote(note, 'other.example/log', raw, vkeys)).toBeNull();
    const otherText = checkpointText(origin, 23, rootHash(tree, 23));
    const forged =
      signNote(text, origin, log.privateKey, log.publicKey) +
      cosignatureLine(otherText, 'w.example/2', w2.privateKey, w2.publicKey, 1_800_000_001);
    expect(checkNote(forged, origin, raw, vkeys)).toMatchObject({ signed: true, witnessedBy: [], bad: ['w.example/2'] });
    // The same cosignature twice counts once; a second, failing, line of the log's key fails the note.
    const w1Line = cosignatureLine(text, 'w.example/1', w1.privateKey, w1.publicKey, 1_800_000_000);
    expect(checkNote(signNote(text, origin, log.privateKey, log.publicKey) + w1Line + w1Line, origin, raw, vkeys)?.witnessedBy).toEqual([
      'w.example/1',
    ]);
    const logLine = signNote(text, origin, log.privateKey, log.publicKey).slice(text.length + 1);
    const at = logLine.length - 10; // inside the signature, after the key id
    const badLogLine = logLine.slice(0, at) + (logLine[at] === 'A' ? 'B' : 'A') + logLine.slice(at + 1);
    expect(checkNote(`${text}\n${badLogLine}${logLine}`, origin, raw, vkeys)?.signed).toBe(false);
  });
});
