import { type KeyObject, createHash, createPublicKey, sign, verify } from 'node:crypto';

/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures, and the checkpoint text of
 * c2sp.org/tlog-checkpoint: what lets the transparency ecosystem's own tools (and witnesses) read
 * and check this log's tree heads. docs/auditing.md § Checkpoints as signed notes.
 */

/** Signature type 0x01: Ed25519 over the note text (c2sp.org/signed-note § Ed25519 signatures). */
export const ED25519 = 0x01;
/** Signature type 0x04: an Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature § Format). */
export const COSIGNATURE_V1 = 0x04;
export type KeyType = typeof ED25519 | typeof COSIGNATURE_V1;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const EM_DASH = '\u2014';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex -- the same, newline excepted
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/;

export interface NoteVerifier {
  name: string;
  /** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. */
  keyId: number;
  /** 0x01: signs the note text; 0x04: cosigns it (a witness). */
  type: KeyType;
  publicKey: KeyObject;
}

/** A key name: non-empty, no Unicode space, no `+` (c2sp.org/signed-note § Format). */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !CONTROL.test(name);
}

/** The 32 bytes of an Ed25519 public key (RFC 8032 encoding). */
export function rawEd25519(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

export function noteKeyId(name: string, rawPublicKey: Uint8Array, type: KeyType = ED25519): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(rawPublicKey)
    .digest();
  return digest.readUInt32BE(0);
}

/**
 * The verifier key, `<name>+<hex key id>+<base64(type ‖ public key)>`, as the spec publishes it:
 * type 0x01 for a log's key, 0x04 for a witness's cosigning key.
 */
export function verifierKey(name: string, publicKey: KeyObject, type: KeyType = ED25519): string {
  if (!isKeyName(name)) throw new Error('a note key name is non-empty, without spaces or "+"');
  const raw = rawEd25519(publicKey);
  const id = noteKeyId(name, raw, type).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([type]), raw]).toString('base64')}`;
}

/** Reads a verifier key; throws on anything but a well-formed Ed25519 (0x01) or cosignature (0x04) one whose id matches its key. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // Neither the name nor the hex id holds a "+"; the base64 key may.
  const m = /^([^+]+)\+([^+]*)\+(.*)$/su.exec(vkey);
  const parts = m ? [m[1]!, m[2]!, m[3]!] : [];
  if (parts.length !== 3 || !isKeyName(parts[0]!) || !/^[0-9a-f]{8}$/.test(parts[1]!)) throw new Error('not a verifier key');
  const material = Buffer.from(parts[2]!, 'base64');
  const type = material[0];
  if (material.length !== 33 || (type !== ED25519 && type !== COSIGNATURE_V1) || material.toString('base64') !== parts[2]) {
    throw new Error('not an Ed25519 (0x01) or cosignature/v1 (0x04) verifier key');
  }
  const raw = material.subarray(1);
  const keyId = parseInt(parts[1]!, 16);
  if (noteKeyId(parts[0]!, raw, type) !== keyId) throw new Error('the key id does not match the key');
  return {
    name: parts[0]!,
    keyId,
    type,
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }),
  };
}

/** One signature line for a note text (which must end in a newline). */
export function signatureLine(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject): string {
  if (!text.endsWith('\n')) throw new Error('a note text ends in a newline');
  return formatSignatureLine(name, noteKeyId(name, rawEd25519(publicKey)), sign(null, Buffer.from(text, 'utf8'), privateKey));
}

/** `— <name> base64(key id ‖ signature)` and a newline. */
export function formatSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId);
  return `${EM_DASH} ${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** A signed note: the text, a blank line, the signature lines. */
export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject): string {
  return `${text}\n${signatureLine(text, name, privateKey, publicKey)}`;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key id. */
  signature: Buffer;
}

/** A note split into its text and its signature lines, unverified; throws on a malformed note. */
export function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (CONTROL_BUT_NEWLINE.test(note)) throw new Error('a note holds no control character but newline');
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) throw new Error('a note is a text, a blank line and signature lines');
  const text = note.slice(0, at + 1);
  const lines = note.slice(at + 2, -1).split('\n');
  const signatures = lines.map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m || !isKeyName(m[1]!)) throw new Error('a signature line is "— <name> <base64>"');
    const bytes = Buffer.from(m[2]!, 'base64');
    if (bytes.length < 5 || bytes.toString('base64') !== m[2]) throw new Error('a signature is base64 of a key id and bytes');
    return { name: m[1]!, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

/**
 * The text of a note, if it verifies (c2sp.org/signed-note § Signatures): signatures of unknown
 * keys are ignored; every one of a known key (same name and id) must verify; at least one must.
 * Returns the names of the known keys whose signatures verified.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): { text: string; verifiedBy: string[] } {
  const { text, signatures } = splitNote(note);
  const verifiedBy: string[] = [];
  for (const s of signatures) {
    const key = verifiers.find((v) => v.type === ED25519 && v.name === s.name && v.keyId === s.keyId);
    if (!key) continue;
    if (!verify(null, Buffer.from(text, 'utf8'), key.publicKey, s.signature)) throw new Error(`the signature of ${s.name} does not verify`);
    verifiedBy.push(s.name);
  }
  if (verifiedBy.length === 0) throw new Error('no signature of a known key');
  return { text, verifiedBy };
}

/** The note text of a checkpoint (c2sp.org/tlog-checkpoint): origin, size, base64 root hash. */
export function checkpointText(origin: string, size: number, rootHash: Uint8Array): string {
  if (!isKeyName(origin)) throw new Error('a log origin is non-empty, without spaces or "+"');
  return `${origin}\n${size}\n${Buffer.from(rootHash).toString('base64')}\n`;
}

/** Reads a checkpoint's note text; throws unless it is one (extension lines are allowed and returned). */
export function parseCheckpointText(text: string): { origin: string; size: number; rootHash: Buffer; extensions: string[] } {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3 || lines.some((l) => l === '')) throw new Error('a checkpoint is three lines or more');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error('the tree size is a decimal number');
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) throw new Error('the root hash is 32 bytes of base64');
  return { origin, size: Number(size), rootHash, extensions };
}
