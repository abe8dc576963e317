import { type KeyObject, sign, verify } from 'node:crypto';
import { COSIGNATURE_V1, type NoteSignature, type NoteVerifier, formatSignatureLine, noteKeyId, rawEd25519 } from './signed-note';

/**
 * Ed25519 cosignatures (c2sp.org/tlog-cosignature § Ed25519 signed message): a witness's
 * statement that, at `time`, the checkpoint is the largest consistent one it has seen of the log.
 * The signature line carries the key id (type 0x04), an 8-byte big-endian POSIX timestamp and
 * the 64-byte signature of:
 *
 *     cosignature/v1
 *     time <timestamp>
 *     <the checkpoint's note text>
 */

const TIMESTAMP_BYTES = 8;
const SIGNATURE_BYTES = 64;

export function cosignatureMessage(text: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
}

/** A cosignature line for a checkpoint's note text; the timestamp is POSIX seconds, never zero. */
export function cosignatureLine(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) throw new Error('a cosignature timestamp is a positive number of seconds');
  const body = Buffer.alloc(TIMESTAMP_BYTES);
  body.writeBigUInt64BE(BigInt(timestamp));
  const signature = sign(null, cosignatureMessage(text, timestamp), privateKey);
  return formatSignatureLine(name, noteKeyId(name, rawEd25519(publicKey), COSIGNATURE_V1), Buffer.concat([body, signature]));
}

/** The timestamp of a cosignature line's bytes (after the key id); throws unless they have the v1 shape. */
export function cosignatureTimestamp(s: NoteSignature): number {
  if (s.signature.length !== TIMESTAMP_BYTES + SIGNATURE_BYTES) throw new Error(`the cosignature of ${s.name} is not 72 bytes`);
  const timestamp = s.signature.readBigUInt64BE(0);
  if (timestamp === 0n || timestamp > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`the cosignature of ${s.name} has no usable timestamp`);
  return Number(timestamp);
}

/** Whether a witness's signature line cosigns the text; returns its timestamp, or throws saying why not. */
export function verifyCosignature(text: string, s: NoteSignature, witness: NoteVerifier): number {
  if (witness.type !== COSIGNATURE_V1 || s.name !== witness.name || s.keyId !== witness.keyId) {
    throw new Error(`the signature of ${s.name} is not one of witness ${witness.name}`);
  }
  const timestamp = cosignatureTimestamp(s);
  if (!verify(null, cosignatureMessage(text, timestamp), witness.publicKey, s.signature.subarray(TIMESTAMP_BYTES))) {
    throw new Error(`the cosignature of ${s.name} does not verify`);
  }
  return timestamp;
}
