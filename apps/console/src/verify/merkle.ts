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
