import { generateKeyPairSync } from 'node:crypto';
import {
  checkpointText,
  noteKeyId,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  rawEd25519,
  signNote,
  splitNote,
  verifierKey,
} from './signed-note';

/** c2sp.org/signed-note § Verifier keys, Example: the spec's own key and note. */
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

describe('signed notes (c2sp.org/signed-note)', () => {
  it("reads the spec's verifier key (its key id is the one the spec computes) and verifies the spec's note", () => {
    const verifier = parseVerifierKey(SPEC_VKEY);
    expect([verifier.name, verifier.keyId]).toEqual(['example.com/foo', 0x530d903a]);
    expect(noteKeyId('example.com/foo', rawEd25519(verifier.publicKey))).toBe(0x530d903a);
    expect(verifierKey('example.com/foo', verifier.publicKey)).toBe(SPEC_VKEY);
    expect(openNote(SPEC_NOTE, [verifier])).toEqual({ text: 'This is an example message.\n', verifiedBy: ['example.com/foo'] });
  });

  it("refuses the spec's note once changed, and a note no known key signed", () => {
    const verifier = parseVerifierKey(SPEC_VKEY);
    expect(() => openNote(SPEC_NOTE.replace('example message', 'exemple message'), [verifier])).toThrow('does not verify');
    const other = generateKeyPairSync('ed25519');
    const stranger = parseVerifierKey(verifierKey('example.com/bar', other.publicKey));
    expect(() => openNote(SPEC_NOTE, [stranger])).toThrow('no signature of a known key');
  });

  it('signs a note its verifier key opens, ignoring signatures of unknown keys', () => {
    const log = generateKeyPairSync('ed25519');
    const witness = generateKeyPairSync('ed25519');
    const text = checkpointText('ostracon.example/audit-log', 42, Buffer.alloc(32, 7));
    const note = signNote(text, 'ostracon.example/audit-log', log.privateKey, log.publicKey);
    const cosigned = `${note}${signNote(text, 'witness.example/w1', witness.privateKey, witness.publicKey).slice(text.length + 1)}`;
    const logKey = parseVerifierKey(verifierKey('ostracon.example/audit-log', log.publicKey));
    expect(openNote(cosigned, [logKey]).verifiedBy).toEqual(['ostracon.example/audit-log']);
    expect(splitNote(cosigned).signatures.map((s) => s.name)).toEqual(['ostracon.example/audit-log', 'witness.example/w1']);
    // The same name with another key (another id): ignored, not a failure, so no known signature.
    const impostor = parseVerifierKey(verifierKey('ostracon.example/audit-log', witness.publicKey));
    expect(() => openNote(note, [impostor])).toThrow('no signature of a known key');
  });

  it.each([
    ['no blank line', 'text\n— a/b AAAAAAE=\n'],
    ['no final newline', 'text\n\n— a/b AAAAAAE='],
    ['a control character', 'te\u0007xt\n\n— a/b AAAAAAE=\n'],
    ['a signature line without the em dash', 'text\n\n- a/b AAAAAAE=\n'],
    ['a signature shorter than a key id and a byte', 'text\n\n— a/b AAAA\n'],
    ['a key name with a plus', 'text\n\n— a+b AAAAAAE=\n'],
  ])('refuses a malformed note: %s', (_label, note) => {
    expect(() => splitNote(note)).toThrow();
  });

  it('writes a key id below 0x10000000 with its leading zeros, so that its verifier key reads back', () => {
    // The spec's key, under the first name whose id starts with a zero nibble (one name in 16).
    const { publicKey } = parseVerifierKey(SPEC_VKEY);
    const name = Array.from({ length: 256 }, (_, i) => `example.com/foo${i}`).find(
      (n) => noteKeyId(n, rawEd25519(publicKey)) < 0x10000000,
    )!;
    const vkey = verifierKey(name, publicKey);
    expect(vkey.split('+')[1]).toMatch(/^0[0-9a-f]{7}$/);
    expect(parseVerifierKey(vkey).keyId).toBe(noteKeyId(name, rawEd25519(publicKey)));
  });

  it('reads a verifier key whose base64 holds a "+" (only the first two separate its parts)', () => {
    let vkey = '';
    while (!vkey.split('+').slice(2).join('+').includes('+')) vkey = verifierKey('a.example/log', generateKeyPairSync('ed25519').publicKey);
    expect(verifierKey('a.example/log', parseVerifierKey(vkey).publicKey)).toBe(vkey);
  });

  it('refuses malformed verifier keys', () => {
    const [name, id, key] = SPEC_VKEY.split('+') as [string, string, string];
    for (const vkey of [
      `${name}+${id}`,
      `${name}+530d903b+${key}`,
      `${name} x+${id}+${key}`,
      `${name}+${id}+${key.slice(0, -4)}`,
      `${name}+${id}+Ag${key.slice(2)}`,
    ]) {
      expect(() => parseVerifierKey(vkey)).toThrow();
    }
  });
});

describe('checkpoint text (c2sp.org/tlog-checkpoint)', () => {
  it("reads the spec's example", () => {
    const parsed = parseCheckpointText('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(parsed).toEqual({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'),
      extensions: [],
    });
    expect(checkpointText(parsed.origin, parsed.size, parsed.rootHash)).toBe(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it.each([
    ['two lines', 'a/b\n1\n'],
    ['a leading zero', 'a/b\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a root of 31 bytes', `a/b\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['an empty extension line', 'a/b\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n'],
    ['no final newline', 'a/b\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='],
  ])('refuses %s', (_label, text) => {
    expect(() => parseCheckpointText(text)).toThrow();
  });
});
