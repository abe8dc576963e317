import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from './merkle';

/**
 * The checkpoint as a C2SP signed note, checked in the browser (docs/auditing.md § A witnessed
 * log): the log's note signature under the pinned key, and each witness's cosignature/v1. The
 * same rules as the SDK's verifyCheckpointNote, on @noble so that it runs here.
 */

const encoder = new TextEncoder();
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4] as a number: a note key's id (0x01 a log, 0x04 a witness). */
export function keyId(name: string, type: 0x01 | 0x04, key: Uint8Array): number {
  const digest = sha256(new Uint8Array([...encoder.encode(name), 0x0a, type, ...key]));
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0);
}

/** A verifier key `<name>+<hex id>+<base64(type ‖ key)>`, or null if it is not a well-formed Ed25519 one. */
export function readVerifierKey(vkey: string): { name: string; type: 0x01 | 0x04; key: Uint8Array } | null {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(vkey);
  if (!m) return null;
  const material = fromBase64(m[3]!);
  const type = material[0];
  if (material.length !== 33 || (type !== 0x01 && type !== 0x04)) return null;
  const key = material.slice(1);
  return keyId(m[1]!, type, key) === parseInt(m[2]!, 16) ? { name: m[1]!, type, key } : null;
}

export interface NoteCheck {
  /** Whether the log's signature verifies under the pinned key. */
  signed: boolean;
  size: number;
  rootHex: string;
  /** Names of the announced witnesses whose cosignature verifies. */
  witnessedBy: string[];
  /** Names of announced witnesses whose cosignature is there but does not verify. */
  bad: string[];
}

/** Checks a note's log signature (under the pinned raw key and the origin) and the cosignatures of the witnesses given. */
export function checkNote(note: string, origin: string, logKey: Uint8Array, witnesses: readonly string[]): NoteCheck | null {
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) return null;
  const text = note.slice(0, at + 1);
  const [noteOrigin, size, root] = text.split('\n');
  const rootBytes = root ? fromBase64(root) : new Uint8Array();
  if (noteOrigin !== origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '') || rootBytes.length !== 32) return null;
  const body = encoder.encode(text);
  const logId = keyId(origin, 0x01, logKey);
  const keys = witnesses.map(readVerifierKey).filter((k) => k?.type === 0x04) as { name: string; type: 0x04; key: Uint8Array }[];
  const result: NoteCheck = { signed: false, size: Number(size), rootHex: toHex(rootBytes), witnessedBy: [], bad: [] };
  const counted = new Set<string>();
  for (const line of note.slice(at + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!m) return null;
    const bytes = fromBase64(m[2]!);
    if (bytes.length < 5) return null;
    const id = new DataView(bytes.buffer).getUint32(0);
    const signature = bytes.slice(4);
    if (m[1] === origin && id === logId) {
      // Every signature of the known key must verify (c2sp.org/signed-note): one that fails, fails the note.
      if (!verify(signature, body, logKey)) return { ...result, signed: false };
      result.signed = true;
      continue;
    }
    const witness = keys.find((k) => k.name === m[1] && keyId(k.name, 0x04, k.key) === id);
    if (!witness) continue;
    const time = signature.length === 72 ? new DataView(signature.buffer).getBigUint64(0) : 0n;
    const message = encoder.encode(`cosignature/v1\ntime ${time}\n${text}`);
    const ok = time > 0n && verify(signature.slice(8), message, witness.key);
    if (!ok) result.bad.push(witness.name);
    // Counted once per witness and per key: a cosignature does not commit to the witness's name.
    else if (!counted.has(witness.name) && !counted.has(toHex(witness.key))) {
      counted.add(witness.name).add(toHex(witness.key));
      result.witnessedBy.push(witness.name);
    }
  }
  return result;
}

function verify(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  try {
    // RFC 8032 strict verification, as OpenSSL does (not ZIP 215)
    return ed25519.verify(signature, message, key, { zip215: false });
  } catch {
    return false;
  }
}
