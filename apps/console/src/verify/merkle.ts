import { sha256 } from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';

/**
 * The browser's side of RFC 9162 § 2.1 (docs/auditing.md): an event's leaf, and hex. The proofs
 * are checked by the SDK's verifier (libs/platform-sdk/src/transparency/merkle-verify.ts, on
 * @noble), the one platforms run: the console checks the log, it does not ask the server whether
 * it is honest.
 */
export { verifyConsistency, verifyInclusion } from '@ostracon/platform-sdk/transparency/merkle-verify';

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lower-case hex');
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The leaf of an event: SHA-256(0x00 ‖ RFC 8785 JSON of the event without its leafHash). */
export function eventLeaf(event: Record<string, unknown>): Uint8Array {
  const { leafHash: _leafHash, ...rest } = event;
  const json = new TextEncoder().encode(canonicalize(rest)!);
  const message = new Uint8Array(1 + json.length);
  message.set(json, 1);
  return sha256(message);
}

function node(left: Uint8Array, right: Uint8Array): Uint8Array {
  const message = new Uint8Array(1 + left.length + right.length);
  message[0] = 1;
  message.set(left, 1);
  message.set(right, 1 + left.length);
  return sha256(message);
}

/**
 * The root an inclusion proof leads to from a leaf (RFC 9162 § 2.1.3.2), or null for a proof of
 * the wrong shape: what a verification report shows beside the signed root when they differ. The
 * verdict itself is the SDK's verifyInclusion.
 */
export function rootFromInclusion(leaf: Uint8Array, index: number, size: number, proof: Uint8Array[]): Uint8Array | null {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else r = node(r, p);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return sn === 0 ? r : null;
}
