import { sha256 } from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';

/**
 * RFC 9162 § 2.1 in the browser (docs/auditing.md): leaf and node hashes, and the verification of
 * inclusion (§ 2.1.3.2) and consistency (§ 2.1.4.2) proofs. Written from the RFC, sharing no code
 * with the service: the console checks the log, it does not ask the server whether it is honest.
 */
const bytes = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const node = (left: Uint8Array, right: Uint8Array) => sha256(bytes(Uint8Array.of(1), left, right));
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

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
  return sha256(bytes(Uint8Array.of(0), new TextEncoder().encode(canonicalize(rest)!)));
}

export function verifyInclusion(leaf: Uint8Array, index: bigint, size: bigint, proof: Uint8Array[], root: Uint8Array): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = node(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = node(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

export function verifyConsistency(
  first: bigint,
  second: bigint,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
): boolean {
  if (first > second || first === 0n) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  const path = (first & (first - 1n)) === 0n ? [firstRoot, ...proof] : proof;
  if (path.length === 0) return false;
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = node(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(fr, firstRoot) && equal(sr, secondRoot);
}
